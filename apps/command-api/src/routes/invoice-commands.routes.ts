import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CommandResult,
  InvoiceCommandHeaders,
  InvoiceCommandParams,
  InvoiceVoided,
  VoidInvoiceBody,
  type CommandContext,
} from '@gyroscops/contracts';
import { hashRequest } from '@gyroscops/idempotency';
import {
  ApplicationError,
  authenticatedProblems,
  bodyRouteProblems,
  requireRole,
  type HttpApp,
} from '@gyroscops/platform';
import { callerOf } from '../caller';
import type { InvoiceCommandDispatcher } from '../commands/invoice-command-dispatcher';
import type { InvoiceLookup, InvoiceSummary } from '../commands/invoice-lookup';

export interface InvoiceCommandRouteDependencies {
  dispatcher: InvoiceCommandDispatcher;
  invoiceOf: InvoiceLookup;
}

type Headers = { 'idempotency-key'?: string };

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

const sendReply = (reply: FastifyReply, answer: { status: number; body: unknown; headers: Record<string, string> }) =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);

const TIMEOUT_PROBLEM = {
  504: {
    description: 'The command is still running after the wait: repeat it with the same Idempotency-Key for its answer',
    content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
  },
};

/** Why a paid or void invoice takes no payment and cannot be voided. */
function refuseSettled(invoice: InvoiceSummary): void {
  if (invoice.status === 'paid') throw new ApplicationError('CONFLICT', `invoice ${invoice.invoiceId} is already paid`);
  if (invoice.status === 'void') throw new ApplicationError('CONFLICT', `invoice ${invoice.invoiceId} is void`);
}

/** Commands on invoices: each one is an Update of the invoice's payment process. */
export function registerInvoiceCommandRoutes(app: HttpApp, deps: InvoiceCommandRouteDependencies): void {
  const { dispatcher } = deps;

  /** The invoice, or 404 (also for another organization's invoice) before anything starts. */
  async function visibleInvoice(request: FastifyRequest, invoiceId: string): Promise<InvoiceSummary> {
    const invoice = await deps.invoiceOf(invoiceId);
    if (!invoice || !callerOf(request).allowedOrganizations.includes(invoice.organizationId))
      throw new ApplicationError('NOT_FOUND', `invoice ${invoiceId} not found`);
    return invoice;
  }

  app.post(
    '/invoices/:invoiceId/pay',
    {
      schema: {
        tags: ['billing'],
        operationId: 'payInvoice',
        summary: 'Pay an open, past-due or uncollectible invoice now',
        description:
          "Pays the invoice's outstanding amount with the organization's payment method, as a payment with `invoiceId` (visible in payment search), and answers once the gateway has answered: 201 with the payment command's body, as POST /payments answers it (`status: failed` for a declined payment, which counts as a dunning attempt). A successful payment ends dunning and, when the invoice was the last one holding a suspension, makes the organization active again. A payment already under way is awaited first. 409 for a paid or void invoice; 404 for an invoice of another organization.",
        headers: InvoiceCommandHeaders,
        params: InvoiceCommandParams,
        response: {
          201: {
            ...CommandResult,
            description: "The payment was made: the payment's id, its status (processed or failed) and position",
            headers: {
              etag: { type: 'string', description: 'The payment stream version after the command, quoted: "2"' },
            },
          },
          ...authenticatedProblems(400, 404, 409),
          ...TIMEOUT_PROBLEM,
        },
      },
    },
    async (request, reply) => {
      const invoice = await visibleInvoice(request, request.params.invoiceId);
      return sendReply(
        reply,
        await dispatcher.payInvoice({
          check: () => refuseSettled(invoice),
          invoiceId: invoice.invoiceId,
          organizationId: invoice.organizationId,
          context: contextOf(request),
          idempotency: idempotencyOf(request, request.headers),
        }),
      );
    },
  );

  app.post(
    '/invoices/:invoiceId/void',
    {
      onRequest: async (request) => requireRole(request, 'admin'),
      schema: {
        tags: ['billing'],
        operationId: 'voidInvoice',
        summary: 'Void an invoice that is not paid (admin role)',
        description:
          "Cancels the invoice and ends its dunning: no further payment is attempted and none can be made. Only before it is paid: 409 for a paid or void invoice (a payment under way is awaited first; if it pays the invoice, the void is a 409). Voiding an uncollectible invoice lifts the suspension it caused. For an admin of the invoice's organization: 404 for another organization's invoice.",
        headers: InvoiceCommandHeaders,
        params: InvoiceCommandParams,
        body: VoidInvoiceBody,
        response: {
          200: { ...InvoiceVoided, description: 'The invoice is void' },
          ...bodyRouteProblems(400, 403, 404, 409),
          ...TIMEOUT_PROBLEM,
        },
      },
    },
    async (request, reply) => {
      const invoice = await visibleInvoice(request, request.params.invoiceId);
      return sendReply(
        reply,
        await dispatcher.voidInvoice({
          check: () => refuseSettled(invoice),
          invoiceId: invoice.invoiceId,
          organizationId: invoice.organizationId,
          reason: request.body.reason,
          context: contextOf(request),
          idempotency: idempotencyOf(request, request.headers),
        }),
      );
    },
  );
}
