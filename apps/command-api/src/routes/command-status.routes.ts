import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CommandIdParams, CommandStatus, commandWorkflowId, PAYMENT_COMMAND_WORKFLOW } from '@gyroscops/contracts';
import {
  authenticatedProblems,
  ApplicationError,
  canSee,
  isTemporalUnavailable,
  problemOf,
  temporalUnavailable,
  workflowHandle,
  type HttpApp,
} from '@gyroscops/platform';
import { COMMAND_ORGANIZATION_MEMO } from '../commands/command-dispatcher';
import { outcomeOfFailure } from '../commands/command-outcome';

/** `GET /commands/{commandId}`: the state of an asynchronous (or slow) command, read from its workflow. */
export function registerCommandStatusRoutes(app: HttpApp, temporal: Client): void {
  app.get(
    '/commands/:commandId',
    {
      schema: {
        tags: ['commands'],
        operationId: 'getCommand',
        summary: 'State of a command: running, completed (with its result) or failed (with its error)',
        params: CommandIdParams,
        response: {
          200: { ...CommandStatus, description: 'The state of the command' },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request) => {
      const { commandId } = request.params;
      const handle = workflowHandle(temporal, PAYMENT_COMMAND_WORKFLOW, commandWorkflowId(commandId));
      const notFound = () => new ApplicationError('NOT_FOUND', `command ${commandId} not found`);
      let status: string;
      try {
        const description = await handle.describe();
        // Another organization's command answers 404 like an unknown one: existence does not leak.
        if (!canSee(request, description.memo?.[COMMAND_ORGANIZATION_MEMO] as string | undefined)) throw notFound();
        status = description.status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw notFound();
        if (isTemporalUnavailable(error)) throw temporalUnavailable(error, 'commands');
        throw error;
      }
      if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return { commandId, state: 'running' as const };
      try {
        const result = await handle.result();
        return { commandId, state: 'completed' as const, result };
      } catch (error) {
        if (isTemporalUnavailable(error)) throw temporalUnavailable(error, 'commands');
        const outcome = outcomeOfFailure(error);
        const problem = outcome.kind === 'succeeded' ? problemOf('INTERNAL') : outcome.problem;
        const failure: {
          status: number;
          code: string;
          title: string;
          detail?: string;
          errors?: { path: string; message: string }[];
        } = {
          status: problem.status,
          code: problem.code,
          title: problem.title,
        };
        if (problem.detail) failure.detail = problem.detail;
        if (problem.errors) failure.errors = problem.errors;
        return { commandId, state: 'failed' as const, error: failure };
      }
    },
  );
}
