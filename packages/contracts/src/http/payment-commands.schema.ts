import { Type, type Static } from '@sinclair/typebox';
import {
  Amount,
  CurrencyCode,
  Description,
  Metadata,
  OrganizationId,
  PaymentStatus,
  Position,
  Uuid,
} from './common.schema';
import { SafeString } from './safe-string.schema';

export const CreatePaymentBody = Type.Object(
  {
    organizationId: OrganizationId,
    amount: Amount,
    currency: CurrencyCode,
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    paymentId: Type.Optional(Uuid),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const UpdatePaymentBody = Type.Object(
  {
    amount: Type.Optional(Amount),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePaymentBody = Static<typeof UpdatePaymentBody>;

export const RefundPaymentBody = Type.Object(
  { amount: Amount, reason: Type.Optional(Type.Union([SafeString({ maxLength: 500 }), Type.Null()])) },
  { additionalProperties: false },
);
export type RefundPaymentBody = Static<typeof RefundPaymentBody>;

export const CommandResult = Type.Object({
  commandId: Uuid,
  paymentId: Uuid,
  status: Type.Union([PaymentStatus, Type.Literal('deleted')]),
  version: Type.Integer({ minimum: 1 }),
  position: Position,
});
export type CommandResult = Static<typeof CommandResult>;

export const CommandAccepted = Type.Object({ commandId: Uuid });

export const CommandIdParams = Type.Object({ commandId: Uuid }, { additionalProperties: false });

export const CommandStatus = Type.Object({
  commandId: Uuid,
  state: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  result: Type.Optional(CommandResult),
  error: Type.Optional(
    Type.Object({
      status: Type.Integer(),
      code: Type.String(),
      title: Type.String(),
      detail: Type.Optional(Type.String()),
      errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  ),
});
export type CommandStatus = Static<typeof CommandStatus>;

export const CommandHeaders = Type.Object({
  'idempotency-key': Type.Optional(SafeString({ minLength: 1, maxLength: 200 })),
  // A stream version is an int4: nine digits keep any If-Match a client can send inside it.
  'if-match': Type.Optional(
    Type.String({ pattern: '^(W/)?"\\d{1,9}"$', description: 'The stream version, quoted: "3".' }),
  ),
  prefer: Type.Optional(SafeString()),
});
