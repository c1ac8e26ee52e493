import type {
  BillingOrganizationState,
  BillingPlan,
  CurrentCycle,
  InvoiceNumber,
  UsageByMeter,
} from '@gyroscops/domain';

/** One meter's aggregate as JSON: scaled decimals (x 10^12) as decimal strings. */
interface StoredAggregate {
  count: number;
  sum: string;
  max: string;
}

/**
 * An organization's billing state as JSON (a jsonb column): bigints as strings, maps as lists of
 * [meter, aggregate] pairs. Usage stays aggregated per meter, so its size does not grow with the
 * number of records; only records ahead of the current cycle are kept one by one, until it begins.
 */
export interface StoredBillingState {
  version: number;
  organizationId: string;
  billingStartedAtMs: number;
  cycle: CurrentCycle;
  plan: BillingPlan;
  pendingPlan: BillingPlan | null;
  usage: [string, StoredAggregate][];
  lastOccurredAtMs: number | null;
  late: [string, StoredAggregate][];
  ahead: { meter: string; quantity: string; occurredAtMs: number }[];
  lastInvoiceNumber: InvoiceNumber | null;
}

const encodeUsage = (usage: UsageByMeter): [string, StoredAggregate][] =>
  [...usage].map(([meter, aggregate]) => [
    meter,
    { count: aggregate.count, sum: aggregate.sum.toString(), max: aggregate.max.toString() },
  ]);

const decodeUsage = (stored: [string, StoredAggregate][]): UsageByMeter =>
  new Map(
    stored.map(([meter, aggregate]) => [
      meter,
      { count: aggregate.count, sum: BigInt(aggregate.sum), max: BigInt(aggregate.max) },
    ]),
  );

export function encodeBillingState(state: BillingOrganizationState): StoredBillingState {
  return {
    version: state.version,
    organizationId: state.organizationId,
    billingStartedAtMs: state.billingStartedAtMs,
    cycle: { ...state.cycle },
    plan: state.plan,
    pendingPlan: state.pendingPlan,
    usage: encodeUsage(state.usage),
    lastOccurredAtMs: state.lastOccurredAtMs,
    late: encodeUsage(state.late),
    ahead: state.ahead.map((record) => ({
      meter: record.meter,
      quantity: record.quantity.toString(),
      occurredAtMs: record.occurredAtMs,
    })),
    lastInvoiceNumber: state.lastInvoiceNumber,
  };
}

export function decodeBillingState(stored: StoredBillingState): BillingOrganizationState {
  return {
    kind: 'billing',
    version: stored.version,
    organizationId: stored.organizationId,
    billingStartedAtMs: stored.billingStartedAtMs,
    cycle: { ...stored.cycle },
    plan: stored.plan,
    pendingPlan: stored.pendingPlan,
    usage: decodeUsage(stored.usage),
    lastOccurredAtMs: stored.lastOccurredAtMs,
    late: decodeUsage(stored.late),
    ahead: stored.ahead.map((record) => ({
      meter: record.meter,
      quantity: BigInt(record.quantity),
      occurredAtMs: record.occurredAtMs,
    })),
    lastInvoiceNumber: stored.lastInvoiceNumber,
  };
}
