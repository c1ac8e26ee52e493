import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CommandAccepted,
  CommandHeaders,
  CommandResult,
  CreatePaymentBody,
  PaymentIdParams,
  RefundPaymentBody,
  UpdatePaymentBody,
  type CommandContext,
  type PaymentCommandRequest,
} from '@gyroscops/contracts';
import { isDomainError, tryParseAmount } from '@gyroscops/domain';
import { hashRequest } from '@gyroscops/idempotency';
import { authenticatedProblems, bodyRouteProblems, ApplicationError, type HttpApp } from '@gyroscops/platform';
import { callerOf } from '../caller';
import type { CommandDispatcher } from '../commands/command-dispatcher';
import type { PaymentOrganizationLookup } from '../commands/payment-organization-lookup';

export interface PaymentCommandRouteDependencies {
  dispatcher: CommandDispatcher;
  organizationOf: PaymentOrganizationLookup;
}

type Headers = { 'idempotency-key'?: string; 'if-match'?: string; prefer?: string };

/** The command's context: the user id and the organizations it may act on come from the bearer token. */
function contextOf(request: FastifyRequest): CommandContext {
  const caller = callerOf(request);
  return {
    commandId: randomUUID(),
    correlationId: request.correlationId,
    causationId: request.id,
    userId: caller.userId,
    allowedOrganizations: caller.allowedOrganizations,
  };
}

/** `"3"` or `W/"3"` → 3. */
function expectedVersionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(ifMatch);
  if (!match)
    throw new ApplicationError('VALIDATION', 'If-Match must be a quoted stream version, like "3"', [
      { path: 'headers:/if-match', message: 'must look like "3"' },
    ]);
  return Number(match[1]);
}

const respondsAsync = (prefer: string | undefined) =>
  (prefer ?? '')
    .toLowerCase()
    .split(/[,;]\s*/)
    .includes('respond-async');

/** A command's answers: `success` once it ran, 202 when it runs on, and its problems (see route-problems). */
const commandResponses = (success: 200 | 201, problems: Record<number, unknown>) => ({
  [success]: {
    ...CommandResult,
    description: 'The command ran: the stream version after it and the position of its last event',
    headers: {
      etag: { type: 'string', description: 'The stream version after the command, quoted: "3" (send it as If-Match)' },
    },
  },
  202: {
    ...CommandAccepted,
    description: 'Accepted (Prefer: respond-async, or still running): follow Location',
    headers: { location: { type: 'string', description: '/commands/{commandId}' } },
  },
  ...problems,
});

const sendReply = (reply: FastifyReply, answer: { status: number; body: unknown; headers: Record<string, string> }) =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);

/** The payment commands of docs/api.md: each one becomes a command workflow. */
export function registerPaymentCommandRoutes(app: HttpApp, deps: PaymentCommandRouteDependencies): void {
  const { dispatcher } = deps;

  /** The payment's organization (for the idempotency scope), or 404 before any workflow starts. */
  async function organizationOf(paymentId: string, allowedOrganizations: string[]): Promise<string> {
    const organizationId = await deps.organizationOf(paymentId);
    if (!organizationId || !allowedOrganizations.includes(organizationId)) {
      throw new ApplicationError('NOT_FOUND', `payment ${paymentId} not found`);
    }
    return organizationId;
  }

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

  app.post(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        operationId: 'createPayment',
        summary: 'Create a payment and charge it',
        description:
          'Initiates the payment, charges it through the payment gateway and answers once it is processed or failed (a declined charge still answers 201, with status failed).',
        headers: CommandHeaders,
        body: CreatePaymentBody,
        response: commandResponses(201, bodyRouteProblems(400, 403, 409)),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      // Decimals per currency, positivity and the upper bound are the domain's rules: check them before any workflow starts.
      const amount = tryParseAmount(body.amount, body.currency);
      if (isDomainError(amount))
        throw new ApplicationError(
          'VALIDATION',
          amount.message,
          amount.errors.map((error) => ({ ...error, path: `body:${error.path}` })),
        );
      if (!caller.allowedOrganizations.includes(body.organizationId)) {
        throw new ApplicationError('FORBIDDEN', `you may not create payments for organization ${body.organizationId}`);
      }
      const command: PaymentCommandRequest = {
        kind: 'create',
        context: contextOf(request),
        payment: { ...body, paymentId: body.paymentId ?? randomUUID() },
      };
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command,
          organizationId: body.organizationId,
          idempotency: idempotencyOf(request, request.headers),
          respondAsync: respondsAsync(request.headers.prefer),
          successStatus: 201,
        }),
      );
    },
  );

  app.patch(
    '/payments/:paymentId',
    {
      schema: {
        tags: ['payments'],
        operationId: 'updatePayment',
        summary: 'Change a payment (description and metadata; the amount only to the value it has)',
        description:
          'A pending payment is always being charged, so its amount cannot change under the charge (409), nor after it: an `amount` equal to the current one is accepted (a client may send the whole form back), any other is a 409.',
        headers: CommandHeaders,
        params: PaymentIdParams,
        body: UpdatePaymentBody,
        response: commandResponses(200, bodyRouteProblems(400, 404, 409, 412)),
      },
    },
    async (request, reply) => {
      const expectedVersion = expectedVersionOf(request.headers['if-match']);
      const context = contextOf(request);
      const organizationId = await organizationOf(request.params.paymentId, callerOf(request).allowedOrganizations);
      const command: PaymentCommandRequest = {
        kind: 'update',
        context,
        paymentId: request.params.paymentId,
        changes: request.body,
      };
      if (expectedVersion !== undefined) command.expectedVersion = expectedVersion;
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command,
          organizationId,
          idempotency: idempotencyOf(request, request.headers),
          respondAsync: respondsAsync(request.headers.prefer),
          successStatus: 200,
        }),
      );
    },
  );

  app.post(
    '/payments/:paymentId/refunds',
    {
      schema: {
        tags: ['payments'],
        operationId: 'refundPayment',
        summary: 'Refund a processed payment, fully or in part',
        description:
          'Moves the money back through the payment gateway and answers once it has answered: 201 with the payment status after the refund (partially_refunded or refunded). A refund the gateway declines answers 409 (problem+json, with the gateway reason in detail): nothing was refunded, and the payment history records RefundRequested then RefundDeclined. A refund above what remains refundable (refunds still in flight count as taken) is a 409 that records nothing.',
        headers: CommandHeaders,
        params: PaymentIdParams,
        body: RefundPaymentBody,
        response: commandResponses(201, bodyRouteProblems(400, 404, 409, 412)),
      },
    },
    async (request, reply) => {
      const expectedVersion = expectedVersionOf(request.headers['if-match']);
      const context = contextOf(request);
      const organizationId = await organizationOf(request.params.paymentId, callerOf(request).allowedOrganizations);
      const command: PaymentCommandRequest = {
        kind: 'refund',
        context,
        paymentId: request.params.paymentId,
        refund: { refundId: context.commandId, amount: request.body.amount, reason: request.body.reason ?? null },
      };
      if (expectedVersion !== undefined) command.expectedVersion = expectedVersion;
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command,
          organizationId,
          idempotency: idempotencyOf(request, request.headers),
          respondAsync: respondsAsync(request.headers.prefer),
          successStatus: 201,
        }),
      );
    },
  );

  app.delete(
    '/payments/:paymentId',
    {
      schema: {
        tags: ['payments'],
        operationId: 'deletePayment',
        summary: 'Delete a payment (no command is accepted afterwards)',
        headers: CommandHeaders,
        params: PaymentIdParams,
        response: commandResponses(200, authenticatedProblems(400, 404, 409, 412)),
      },
    },
    async (request, reply) => {
      const expectedVersion = expectedVersionOf(request.headers['if-match']);
      const context = contextOf(request);
      const organizationId = await organizationOf(request.params.paymentId, callerOf(request).allowedOrganizations);
      const command: PaymentCommandRequest = { kind: 'delete', context, paymentId: request.params.paymentId };
      if (expectedVersion !== undefined) command.expectedVersion = expectedVersion;
      return sendReply(
        reply,
        await dispatcher.dispatch({
          command,
          organizationId,
          idempotency: idempotencyOf(request, request.headers),
          respondAsync: respondsAsync(request.headers.prefer),
          successStatus: 200,
        }),
      );
    },
  );
}
