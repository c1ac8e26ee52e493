import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, Uuid } from './common.schema';

/** Where an invoice is in its life (the domain's InvoiceStatus). */
export const InvoiceStatus = Type.Union(
  [
    Type.Literal('open'),
    Type.Literal('paid'),
    Type.Literal('past_due'),
    Type.Literal('uncollectible'),
    Type.Literal('void'),
  ],
  {
    description:
      'open: issued, payment under way. past_due: a payment was declined, dunning retries. paid. uncollectible: the last ' +
      'attempt failed (it may still be paid). void: cancelled before it was paid.',
  },
);

const Decimal = (description: string) => Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 40, description });

/** One line of an invoice: the base fee (no meter) or one meter's usage (`late` for an earlier cycle's usage). */
export const InvoiceLineSchema = Type.Object({
  kind: Type.Union([Type.Literal('base_fee'), Type.Literal('usage')]),
  meter: Type.Union([Type.String(), Type.Null()], { description: 'null for the base fee line.' }),
  quantity: Decimal('The aggregated quantity billed, up to 12 decimals.'),
  unitPrice: Decimal("Price per unit in the invoice's currency, up to 12 decimals."),
  amount: Amount,
  late: Type.Boolean({ description: 'Usage of an earlier cycle that was already invoiced when it arrived.' }),
});

/** The query side's view of one invoice. Amounts are decimal strings in the invoice's currency. */
export const InvoiceViewSchema = Type.Object({
  invoiceId: Uuid,
  organizationId: Type.String(),
  number: Type.String({ description: 'Per organization, `<year>-<sequence>`, gap-free.', examples: ['2026-000001'] }),
  status: InvoiceStatus,
  currency: CurrencyCode,
  periodStart: Type.String({ format: 'date-time', description: 'The billed cycle, from (inclusive).' }),
  periodEnd: Type.String({ format: 'date-time', description: 'The billed cycle, to (exclusive).' }),
  lines: Type.Array(InvoiceLineSchema),
  total: Amount,
  amountPaid: Amount,
  amountRefunded: Amount,
  paymentIds: Type.Array(Uuid, { description: 'Every payment started for the invoice, in order.' }),
  attempts: Type.Integer({ minimum: 0, description: 'Payment attempts made so far.' }),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When dunning tries again; null when no retry is scheduled.',
  }),
  issuedAt: Type.String({ format: 'date-time' }),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  version: Type.Integer({ minimum: 1, description: "The invoice stream's version folded into this view." }),
});
export type InvoiceViewBody = Static<typeof InvoiceViewSchema>;

export const InvoiceIdParams = Type.Object({ invoiceId: Uuid }, { additionalProperties: false });
export type InvoiceIdParams = Static<typeof InvoiceIdParams>;
