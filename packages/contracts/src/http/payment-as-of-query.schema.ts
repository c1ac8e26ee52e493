import { Type, type Static } from '@sinclair/typebox';
import { Instant } from './instant.schema';
import { PaymentViewSchema } from './payment-view.schema';

/**
 * `GET /payments/{paymentId}` time travel: `asOf` (an instant) or `version` (a stream version), never
 * both. Without either the route answers the current view.
 */
export const PaymentAsOfQuery = Type.Object(
  {
    asOf: Type.Optional(
      Instant({ description: 'The payment as it was at this instant (events recorded at or before it).' }),
    ),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'The payment as it was after its first `version` events.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PaymentAsOfQuery = Static<typeof PaymentAsOfQuery>;

/**
 * A payment view that may be a replay: `deleted` is present (true or false) on `asOf`/`version`
 * answers, since a replay also shows deleted payments; the current view never has it.
 */
export const PaymentViewAtSchema = Type.Composite([
  PaymentViewSchema,
  Type.Object({
    deleted: Type.Optional(
      Type.Boolean({ description: 'Only on asOf/version answers: true once the payment was deleted at that point.' }),
    ),
  }),
]);
export type PaymentViewAtBody = Static<typeof PaymentViewAtSchema>;
