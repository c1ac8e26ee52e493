import type {
  AheadUsage,
  BillingPlan,
  CurrentCycle,
  InvoiceNumber,
  OrganizationBillingState,
  UsageAggregate,
  UsageByMeter,
} from '@gyroscops/domain';

/*
 * The organization billing state crosses JSON twice: in snapshots (stream_snapshots) and in the
 * result of the local activity that loads it (a Temporal payload). It holds bigints (scaled
 * decimals) and Maps, which JSON.stringify throws on or flattens to {}, so it is spelled out here:
 * bigints as decimal strings, Maps as [key, value] lists. Workflow code and activities both import
 * it (from `@gyroscops/contracts/workflows`), so it imports nothing but domain types.
 */

/** Bump when the encoded shape changes: snapshots of another version are ignored, not misread. */
export const BILLING_STATE_SCHEMA_VERSION = 1;

interface EncodedAggregate {
  count: number;
  sum: string;
  max: string;
}

export type EncodedBillingState =
  | { kind: 'absent'; version: 0 }
  | {
      kind: 'billing';
      version: number;
      organizationId: string;
      billingStartedAtMs: number;
      cycle: CurrentCycle;
      plan: BillingPlan;
      pendingPlan: BillingPlan | null;
      usage: [string, EncodedAggregate][];
      lastOccurredAtMs: number | null;
      late: [string, EncodedAggregate][];
      ahead: { meter: string; quantity: string; occurredAtMs: number }[];
      lastInvoiceNumber: InvoiceNumber | null;
    };

const encodeUsage = (usage: UsageByMeter): [string, EncodedAggregate][] =>
  [...usage].map(([meter, a]) => [meter, { count: a.count, sum: a.sum.toString(), max: a.max.toString() }]);

const decodeUsage = (usage: readonly [string, EncodedAggregate][]): UsageByMeter =>
  new Map<string, UsageAggregate>(
    usage.map(([meter, a]) => [meter, { count: a.count, sum: BigInt(a.sum), max: BigInt(a.max) }]),
  );

export function encodeBillingState(state: OrganizationBillingState): EncodedBillingState {
  if (state.kind === 'absent') return { kind: 'absent', version: 0 };
  return {
    kind: 'billing',
    version: state.version,
    organizationId: state.organizationId,
    billingStartedAtMs: state.billingStartedAtMs,
    cycle: { ...state.cycle },
    plan: state.plan,
    pendingPlan: state.pendingPlan,
    usage: encodeUsage(state.usage),
    lastOccurredAtMs: state.lastOccurredAtMs,
    late: encodeUsage(state.late),
    ahead: state.ahead.map((a) => ({ meter: a.meter, quantity: a.quantity.toString(), occurredAtMs: a.occurredAtMs })),
    lastInvoiceNumber: state.lastInvoiceNumber,
  };
}

export function decodeBillingState(encoded: EncodedBillingState): OrganizationBillingState {
  if (encoded.kind === 'absent') return { kind: 'absent', version: 0 };
  const ahead: AheadUsage[] = encoded.ahead.map((a) => ({
    meter: a.meter,
    quantity: BigInt(a.quantity),
    occurredAtMs: a.occurredAtMs,
  }));
  return {
    kind: 'billing',
    version: encoded.version,
    organizationId: encoded.organizationId,
    billingStartedAtMs: encoded.billingStartedAtMs,
    cycle: { ...encoded.cycle },
    plan: encoded.plan,
    pendingPlan: encoded.pendingPlan,
    usage: decodeUsage(encoded.usage),
    lastOccurredAtMs: encoded.lastOccurredAtMs,
    late: decodeUsage(encoded.late),
    ahead,
    lastInvoiceNumber: encoded.lastInvoiceNumber,
  };
}
