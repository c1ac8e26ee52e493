import { Type, type Static } from '@sinclair/typebox';
import { Amount, CurrencyCode, OrganizationId } from './common.schema';
import { MeterPrice } from './billing-commands.schema';

/** A billing plan as it is stored: canonical amounts and durations, meters by name. */
export const BillingPlanSchema = Type.Object({
  currency: CurrencyCode,
  cycle: Type.String({ description: 'ISO 8601 duration of a billing cycle.', examples: ['P1M'] }),
  baseFee: Type.Union([Amount, Type.Null()]),
  meters: Type.Record(Type.String(), MeterPrice),
  dunning: Type.Array(Type.String(), { description: 'Waits between payment attempts (ISO 8601 durations).' }),
});
export type BillingPlanBody = Static<typeof BillingPlanSchema>;

const Quantity = Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 40, description: 'Up to 12 decimals.' });

/** The query side's view of an organization's billing: standing, plan, current cycle, unbilled usage, what it owes. */
export const OrganizationViewSchema = Type.Object({
  organizationId: OrganizationId,
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')], {
    description: "suspended once an invoice's last payment attempt failed; active again when an invoice is paid.",
  }),
  plan: BillingPlanSchema,
  pendingPlan: Type.Union([BillingPlanSchema, Type.Null()], {
    description: 'A plan change waiting for the next cycle: it takes effect at `currentCycle.end`.',
  }),
  currentCycle: Type.Object({
    sequence: Type.Integer({ minimum: 1 }),
    start: Type.String({ format: 'date-time', description: 'Inclusive.' }),
    end: Type.String({ format: 'date-time', description: 'Exclusive: the cycle closes (and is invoiced) then.' }),
  }),
  unbilled: Type.Record(Type.String(), Type.Object({ quantity: Quantity, amount: Amount }), {
    description:
      "Per meter, the current cycle's usage so far (late usage of earlier cycles included) and what it would cost " +
      "if the cycle closed now, in the plan's currency (half-even to the minor unit; the base fee not included).",
  }),
  outstanding: Amount,
  outstandingByCurrency: Type.Record(Type.String(), Amount, {
    description:
      'What is still owed on open, past_due and uncollectible invoices, per currency (a plan change may change the ' +
      "currency); `outstanding` is the figure in the plan's currency.",
  }),
  version: Type.Integer({
    minimum: 1,
    description: "The organization billing stream's version folded into this view.",
  }),
});
export type OrganizationViewBody = Static<typeof OrganizationViewSchema>;
