import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import {
  InvoiceCommandHeaders,
  isCanonicalUuid,
  OrganizationIdParams,
  PaymentMethodSet,
  SetPaymentMethodBody,
} from '@gyroscops/contracts';
import { validateMetadata } from '@gyroscops/domain';
import { hashRequest } from '@gyroscops/idempotency';
import { ApplicationError, bodyRouteProblems, type HttpApp } from '@gyroscops/platform';
import { callerOf } from '../caller';
import type { InvoiceCommandDispatcher } from '../commands/invoice-command-dispatcher';

export interface OrganizationPaymentMethodRouteDependencies {
  dispatcher: InvoiceCommandDispatcher;
}

const sendReply = (reply: FastifyReply, answer: { status: number; body: unknown; headers: Record<string, string> }) =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);

/** The organization's payment method: an event on its account stream, read by every invoice payment. */
export function registerOrganizationPaymentMethodRoutes(
  app: HttpApp,
  deps: OrganizationPaymentMethodRouteDependencies,
): void {
  app.put(
    '/organizations/:organizationId/payment-method',
    {
      schema: {
        tags: ['billing'],
        operationId: 'setPaymentMethod',
        summary: 'Set the payment method every invoice payment of the organization uses from now on',
        description:
          "`metadata` is flat, as a payment's (at most 20 string values): every invoice payment, first attempt, dunning retry or POST /invoices/{invoiceId}/pay, carries it from now on (the simulated gateway reads `simulate`). Setting the method the organization already has changes nothing. For a member of the organization: 404 otherwise, as for anything not visible; a billed organization's id is a lower-case UUID (400 otherwise).",
        headers: InvoiceCommandHeaders,
        params: OrganizationIdParams,
        body: SetPaymentMethodBody,
        response: {
          200: { ...PaymentMethodSet, description: "The payment method is recorded on the organization's account" },
          ...bodyRouteProblems(400, 404, 409),
          504: {
            description: 'The command is still running after the wait: repeat it with the same Idempotency-Key',
            content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      const caller = callerOf(request);
      if (!caller.allowedOrganizations.includes(organizationId))
        throw new ApplicationError('NOT_FOUND', `organization ${organizationId} not found`);
      if (!isCanonicalUuid(organizationId)) {
        throw new ApplicationError('VALIDATION', 'a billed organization id is a lower-case UUID', [
          { path: 'params:/organizationId', message: 'must be a lower-case UUID' },
        ]);
      }
      const errors = validateMetadata(request.body.metadata, '/metadata');
      if (errors.length > 0) {
        throw new ApplicationError(
          'VALIDATION',
          'the payment method is not valid',
          errors.map((error) => ({ ...error, path: `body:${error.path}` })),
        );
      }
      const key = request.headers['idempotency-key'];
      const answer = await deps.dispatcher.setPaymentMethod({
        organizationId,
        metadata: request.body.metadata,
        context: {
          commandId: randomUUID(),
          correlationId: request.correlationId,
          causationId: request.id,
          userId: caller.userId,
          allowedOrganizations: caller.allowedOrganizations,
        },
        idempotency: key
          ? {
              key,
              requestHash: hashRequest(request.method, request.routeOptions.url ?? request.url, {
                params: request.params,
                body: request.body,
              }),
            }
          : undefined,
      });
      return sendReply(reply, answer);
    },
  );
}
