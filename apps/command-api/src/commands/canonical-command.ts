import { canonicalUuid, type PaymentCommandRequest } from '@gyroscops/contracts';

/**
 * The command with every id it carries in its canonical spelling (see the contracts' Uuid type).
 * Validation at the edge already spells the ids it reads so; this holds for a command however it was
 * built, since the workflow id, the stream id and the idempotency record are all derived from them.
 */
export function canonicalCommand(command: PaymentCommandRequest): PaymentCommandRequest {
  const context = { ...command.context, commandId: canonicalUuid(command.context.commandId) };
  switch (command.kind) {
    case 'create':
      return {
        ...command,
        context,
        payment: { ...command.payment, paymentId: canonicalUuid(command.payment.paymentId) },
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
