import type { PaymentCommandRequest } from './payment-command';

/**
 * The canonical spelling of a UUID: lower case without a `urn:uuid:` prefix, the way Postgres prints
 * a `uuid` column and randomUUID makes one (the HTTP schemas' Uuid type rewrites ids to it). Here,
 * with no HTTP schema around it, so that workflow code can use it too.
 */
export const canonicalUuid = (id: string): string => id.toLowerCase().replace(/^urn:uuid:/, '');

/**
 * The command with every id it carries in its canonical spelling. The edge's validation already
 * spells the ids it reads so; this holds for a command however it was built (another starter, the
 * CLI, a test), since the workflow id, the stream id, the idempotency record and the events' data are
 * all derived from them. The command-api applies it before starting the workflow, and the workflow
 * applies it again to its input.
 */
export function canonicalPaymentCommand(command: PaymentCommandRequest): PaymentCommandRequest {
  const context = { ...command.context, commandId: canonicalUuid(command.context.commandId) };
  switch (command.kind) {
    case 'create':
      return {
        ...command,
        context,
        payment: {
          ...command.payment,
          paymentId: canonicalUuid(command.payment.paymentId),
          ...(command.payment.invoiceId !== undefined && { invoiceId: canonicalUuid(command.payment.invoiceId) }),
        },
      };
    case 'refund':
      return {
        ...command,
        context,
        paymentId: canonicalUuid(command.paymentId),
        refund: { ...command.refund, refundId: canonicalUuid(command.refund.refundId) },
      };
    case 'update':
    case 'delete':
      return { ...command, context, paymentId: canonicalUuid(command.paymentId) };
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}
