import { Type, type Static } from '@sinclair/typebox';
import { Metadata, OrganizationId, Position, Uuid } from './common.schema';
import { SafeString } from './safe-string.schema';

export const InvoiceCommandParams = Type.Object({ invoiceId: Uuid }, { additionalProperties: false });
export type InvoiceCommandParams = Static<typeof InvoiceCommandParams>;

/** Invoice commands take an Idempotency-Key (scoped to the invoice's organization), as payment commands do. */
export const InvoiceCommandHeaders = Type.Object({
  'idempotency-key': Type.Optional(SafeString({ minLength: 1, maxLength: 200 })),
});

export const VoidInvoiceBody = Type.Object(
  { reason: SafeString({ minLength: 1, maxLength: 500, description: 'Why the invoice is cancelled.' }) },
  { additionalProperties: false },
);
export type VoidInvoiceBody = Static<typeof VoidInvoiceBody>;

export const InvoiceVoided = Type.Object({
  commandId: Uuid,
  invoiceId: Uuid,
  status: Type.Literal('void'),
  version: Type.Integer({ minimum: 1, description: "The invoice stream's version after the void." }),
  position: Position,
});
export type InvoiceVoided = Static<typeof InvoiceVoided>;

/** Flat, as a payment's metadata; every invoice payment carries it from now on (the simulated gateway reads `simulate`). */
export const SetPaymentMethodBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });
export type SetPaymentMethodBody = Static<typeof SetPaymentMethodBody>;

export const PaymentMethodSet = Type.Object({
  commandId: Uuid,
  organizationId: OrganizationId,
  version: Type.Integer({ minimum: 0, description: "The organization account stream's version after the command." }),
  position: Position,
});
export type PaymentMethodSet = Static<typeof PaymentMethodSet>;
