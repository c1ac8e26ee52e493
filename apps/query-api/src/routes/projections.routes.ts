import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import {
  PROJECTION_REBUILD_WORKFLOW,
  projectionRebuildWorkflowId,
  ProjectionActionAccepted,
  ProjectionNameParams,
  ProjectionStatuses,
  projectionWorkflowId,
  resumeProjectionSignal,
  retryDeadLettersSignal,
  TASK_QUEUES,
} from '@gyroscops/contracts';
import type { EventStoreDb } from '@gyroscops/event-store';
import {
  authenticatedProblems,
  ApplicationError,
  requireRole,
  startWorkflow,
  TEMPORAL_RETRY_AFTER_SECONDS,
  type HttpApp,
} from '@gyroscops/platform';
import { readCheckpoints, readProjectionStatuses, type ProjectionTables } from '@gyroscops/projections';
import { temporalFailure } from '../queries/temporal-failure';

const ADMIN_ACTIONS = 'projection admin actions';

export interface ProjectionRoutesDependencies {
  readDb: Kysely<ProjectionTables>;
  eventStore: EventStoreDb;
  /** Admin actions run through Temporal; without a client they answer 503. */
  temporal?: Client;
  projectionTaskQueue?: string;
}

/**
 * `GET /projections` (where each projection stands, read from checkpoints and the event store, never
 * cached) and the admin actions: rebuild without downtime, resume a halted projection, retry parked events.
 */
export function registerProjectionRoutes(app: HttpApp, deps: ProjectionRoutesDependencies): void {
  app.get(
    '/projections',
    {
      schema: {
        tags: ['projections'],
        operationId: 'listProjections',
        summary: 'Position, lag, state and dead letters of every projection, with rebuild progress',
        response: {
          200: { ...ProjectionStatuses, description: 'Every projection, where it stands' },
          ...authenticatedProblems(),
        },
      },
    },
    async () => {
      const statuses = await readProjectionStatuses(deps.readDb, deps.eventStore);
      return {
        items: statuses.map((status) => ({
          ...status,
          position: status.position.toString(),
          headPosition: status.headPosition.toString(),
          rebuild: status.rebuild ? { ...status.rebuild, startedAt: status.rebuild.startedAt.toISOString() } : null,
        })),
      };
    },
  );

  async function knownProjection(name: string): Promise<void> {
    const [checkpoint] = await readCheckpoints(deps.readDb, [name]);
    if (!checkpoint) throw new ApplicationError('NOT_FOUND', `no projection named ${name}`);
  }
  function temporalOrUnavailable(): Client {
    if (!deps.temporal)
      throw new ApplicationError('UNAVAILABLE', `${ADMIN_ACTIONS} need Temporal (TEMPORAL_ADDRESS)`, [], {
        'retry-after': String(TEMPORAL_RETRY_AFTER_SECONDS),
      });
    return deps.temporal;
  }
  /**
   * Signals the projection's running workflow. 409 when it is not running (the projection worker
   * never started it, or it ended): there is nothing to resume or retry until a worker runs it.
   */
  async function signalProjection(
    name: string,
    signal: typeof resumeProjectionSignal | typeof retryDeadLettersSignal,
  ): Promise<string> {
    const workflowId = projectionWorkflowId(name);
    try {
      await temporalOrUnavailable().workflow.getHandle(workflowId).signal(signal);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw new ApplicationError(
          'CONFLICT',
          `projection ${name} is not running (no running workflow ${workflowId}): start the projection worker, which starts it`,
        );
      throw temporalFailure(error, ADMIN_ACTIONS);
    }
    return workflowId;
  }
  // Admin actions need the admin role; GET /projections (operational state, no organization's data) any authenticated caller.
  const adminOnly = async (request: FastifyRequest) => requireRole(request, 'admin');
  const adminSchema = (operationId: string, summary: string) => ({
    tags: ['projections'],
    operationId,
    summary: `${summary} (admin role)`,
    params: ProjectionNameParams,
    response: {
      202: { ...ProjectionActionAccepted, description: 'The action was started (or signalled) in Temporal' },
      ...authenticatedProblems(400, 403, 404, 409),
    },
  });

  app.post(
    '/projections/:name/rebuild',
    {
      onRequest: adminOnly,
      schema: adminSchema('rebuildProjection', 'Rebuild a read model without downtime (progress at GET /projections)'),
    },
    async (request, reply) => {
      await knownProjection(request.params.name);
      const workflowId = projectionRebuildWorkflowId(request.params.name);
      try {
        await startWorkflow(temporalOrUnavailable(), PROJECTION_REBUILD_WORKFLOW, {
          workflowId,
          taskQueue: deps.projectionTaskQueue ?? TASK_QUEUES.projections,
          args: [{ projection: request.params.name }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        });
      } catch (error) {
        throw temporalFailure(error, ADMIN_ACTIONS);
      }
      return reply
        .code(202)
        .header('location', '/projections')
        .send({ projection: request.params.name, action: 'rebuild', workflowId });
    },
  );

  app.post(
    '/projections/:name/resume',
    {
      onRequest: adminOnly,
      schema: adminSchema('resumeProjection', 'Let a halted projection try again from its checkpoint'),
    },
    async (request, reply) => {
      await knownProjection(request.params.name);
      const workflowId = await signalProjection(request.params.name, resumeProjectionSignal);
      return reply.code(202).send({ projection: request.params.name, action: 'resume', workflowId });
    },
  );

  app.post(
    '/projections/:name/dead-letters/retry',
    {
      onRequest: adminOnly,
      schema: adminSchema('retryProjectionDeadLetters', 'Apply the parked events of a projection again'),
    },
    async (request, reply) => {
      await knownProjection(request.params.name);
      const workflowId = await signalProjection(request.params.name, retryDeadLettersSignal);
      return reply.code(202).send({ projection: request.params.name, action: 'retry-dead-letters', workflowId });
    },
  );
}
