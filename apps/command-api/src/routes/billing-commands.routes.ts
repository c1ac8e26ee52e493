import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BillingCommandHeaders,
  BillingCycleCloseAccepted,
  BillingPlanSet,
  isCanonicalUuid,
  OrganizationIdParams,
  RecordUsageBody,
  SetBillingPlanBody,
  UsageRecorded,
  type BillingCommandResult,
  type CommandContext,
} from '@gyroscops/contracts';
import { isDomainError, parseUsageBatch, validatePlan, type FieldError } from '@gyroscops/domain';
import { hashRequest } from '@gyroscops/idempotency';
import {
  ApplicationError,
  authenticatedProblems,
  bodyRouteProblems,
  requireRole,
  type HttpApp,
} from '@gyroscops/platform';
import { callerOf } from '../caller';
import type { BillingCommandDispatcher } from '../commands/billing-command-dispatcher';

export interface BillingCommandRouteDependencies {
  dispatcher: BillingCommandDispatcher;
}

/**
 * A usage batch of 1,000 records is a few hundred KiB: over the 64 KiB every other body is held
 * to, so this route alone takes up to 1 MiB.
 */
export const USAGE_BODY_LIMIT_BYTES = 1024 * 1024;

type Headers = { 'idempotency-key'?: string };

/** Field errors the domain found in the body, as the edge names them. */
const bodyErrors = (errors: readonly FieldError[]) => errors.map((error) => ({ ...error, path: `body:${error.path}` }));

function idempotencyOf(request: FastifyRequest, headers: Headers) {
  const key = headers['idempotency-key'];
  return key
    ? {
        key,
        requestHash: hashRequest(request.method, request.routeOptions.url ?? request.url, {
          params: request.params,
          body: request.body ?? null,
        }),
      }
    : undefined;
}

const sendReply = (reply: FastifyReply, answer: { status: number; body: unknown; headers: Record<string, string> }) =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);

/** The command's context: the user id and the organizations it may act on come from the bearer token. */
function contextOf(request: FastifyRequest, allowedOrganizations: string[]): CommandContext {
  return {
    commandId: randomUUID(),
    correlationId: request.correlationId,
    causationId: request.id,
    userId: callerOf(request).userId,
    allowedOrganizations,
  };
}

/**
 * The organization an admin acts on: one of the caller's (404 otherwise, as for anything not
 * visible) and a lower-case UUID, the only spelling a billing stream has (400 otherwise).
 */
function billedOrganization(request: FastifyRequest, organizationId: string): string[] {
  const { allowedOrganizations } = callerOf(request);
  if (!allowedOrganizations.includes(organizationId))
    throw new ApplicationError('NOT_FOUND', `organization ${organizationId} not found`);
  if (!isCanonicalUuid(organizationId)) {
    throw new ApplicationError('VALIDATION', 'a billed organization id is a lower-case UUID', [
      { path: 'params:/organizationId', message: 'must be a lower-case UUID' },
    ]);
  }
  return allowedOrganizations;
}

const TIMEOUT_PROBLEM = {
  504: {
    description: 'The command is still running after the wait: repeat the request (it is safe to) for its answer',
    content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
  },
};

/** The billing commands: each one becomes a billing command workflow on the organization's stream. */
export function registerBillingCommandRoutes(app: HttpApp, deps: BillingCommandRouteDependencies): void {
  const { dispatcher } = deps;

  app.put(
    '/organizations/:organizationId/billing-plan',
    {
      onRequest: async (request) => requireRole(request, 'admin'),
      schema: {
        tags: ['billing'],
        operationId: 'setBillingPlan',
        summary: "Set an organization's billing plan (admin role)",
        description:
          "For an admin of the organization (the admin role, and the organization in the token: 404 otherwise, as for anything not visible). The first plan starts the organization's first billing cycle now; a later plan takes effect when the current cycle ends (`effectiveFrom`). Setting the plan already due for the next cycle changes nothing.",
        headers: BillingCommandHeaders,
        params: OrganizationIdParams,
        body: SetBillingPlanBody,
        response: {
          200: { ...BillingPlanSet, description: 'The plan is recorded; it bills from effectiveFrom' },
          ...bodyRouteProblems(400, 403, 404, 409),
          ...TIMEOUT_PROBLEM,
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      const allowedOrganizations = billedOrganization(request, organizationId);
      // Currencies, durations' range and meter rules are the domain's: refuse a bad plan before any workflow starts.
      const plan = validatePlan(request.body);
      if (isDomainError(plan)) throw new ApplicationError('VALIDATION', plan.message, bodyErrors(plan.errors));
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command: {
            kind: 'set-plan',
            context: contextOf(request, allowedOrganizations),
            organizationId,
            plan: request.body,
          },
          idempotency: idempotencyOf(request, request.headers),
          successStatus: 200,
          bodyOf: (result: BillingCommandResult) =>
            result.kind === 'plan-set'
              ? {
                  commandId: result.commandId,
                  organizationId: result.organizationId,
                  version: result.version,
                  effectiveFrom: result.effectiveFrom,
                  position: result.position,
                }
              : result,
        }),
      );
    },
  );

  app.post(
    '/usage',
    {
      bodyLimit: USAGE_BODY_LIMIT_BYTES,
      schema: {
        tags: ['billing'],
        operationId: 'recordUsage',
        summary: "Record a batch of one organization's usage (1 to 1,000 records)",
        description:
          "The batch is validated whole: one bad record answers 400 with `errors` naming its index (`body:/records/7/meter`) and nothing is stored. Every record names the same organization, one of the caller's (403 otherwise), whose plan has the record's meter. A record whose `recordId` the organization already had accepted is a duplicate: counted in `duplicates`, never billed twice. Bodies up to 1 MiB (other routes: 64 KiB).",
        headers: BillingCommandHeaders,
        body: RecordUsageBody,
        response: {
          202: { ...UsageRecorded, description: 'The batch is recorded: accepted and duplicate records counted' },
          ...bodyRouteProblems(400, 403, 409),
          ...TIMEOUT_PROBLEM,
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { records } = request.body;
      const foreign = records.find((record) => !caller.allowedOrganizations.includes(record.organizationId));
      if (foreign) {
        throw new ApplicationError('FORBIDDEN', `you may not record usage for organization ${foreign.organizationId}`);
      }
      // One organization per batch: its records are accepted or refused together, in one append.
      const organizationId = records[0]?.organizationId ?? '';
      const others = records.flatMap((record, i) =>
        record.organizationId === organizationId
          ? []
          : [{ path: `body:/records/${i}/organizationId`, message: `must be ${organizationId}, as record 0's` }],
      );
      if (others.length > 0)
        throw new ApplicationError('VALIDATION', "a usage batch holds one organization's records", others);
      if (!isCanonicalUuid(organizationId)) {
        throw new ApplicationError(
          'VALIDATION',
          'a billed organization id is a lower-case UUID',
          records.map((_, i) => ({ path: `body:/records/${i}/organizationId`, message: 'must be a lower-case UUID' })),
        );
      }
      const parsed = parseUsageBatch(records);
      if (isDomainError(parsed)) throw new ApplicationError('VALIDATION', parsed.message, bodyErrors(parsed.errors));
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command: {
            kind: 'record-usage',
            context: contextOf(request, caller.allowedOrganizations),
            organizationId,
            records,
          },
          idempotency: idempotencyOf(request, request.headers),
          successStatus: 202,
          bodyOf: (result: BillingCommandResult) =>
            result.kind === 'usage-recorded'
              ? {
                  commandId: result.commandId,
                  organizationId: result.organizationId,
                  accepted: result.accepted,
                  duplicates: result.duplicates,
                  version: result.version,
                  position: result.position,
                }
              : result,
        }),
      );
    },
  );

  app.post(
    '/organizations/:organizationId/billing-cycle/close',
    {
      onRequest: async (request) => requireRole(request, 'admin'),
      schema: {
        tags: ['billing'],
        operationId: 'closeBillingCycle',
        summary: "Close an organization's current billing cycle now (admin role)",
        description:
          "Closes the current cycle as its timer would, ending it now: the cycle's usage is priced and its invoice issued (none for an empty cycle without base fee: no `invoiceId` then), its payment starts, and the next cycle begins now under the plan due for it. For an admin of the organization (404 otherwise, and for an organization without a plan). Send an Idempotency-Key: a repeat with the key answers the same close; without one, a repeat closes the cycle that began with the first close.",
        headers: BillingCommandHeaders,
        params: OrganizationIdParams,
        response: {
          202: { ...BillingCycleCloseAccepted, description: 'The cycle is closed and its invoice issued' },
          ...authenticatedProblems(400, 403, 404, 409),
          ...TIMEOUT_PROBLEM,
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      const allowedOrganizations = billedOrganization(request, organizationId);
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command: { kind: 'close-cycle', context: contextOf(request, allowedOrganizations), organizationId },
          idempotency: idempotencyOf(request, request.headers),
          successStatus: 202,
          bodyOf: (result: BillingCommandResult) =>
            result.kind === 'cycle-closed'
              ? {
                  commandId: result.commandId,
                  organizationId: result.organizationId,
                  cycleSequence: result.cycleSequence,
                  ...(result.invoiceId === null ? {} : { invoiceId: result.invoiceId }),
                  version: result.version,
                  position: result.position,
                }
              : result,
        }),
      );
    },
  );
}
