import { randomUUID } from 'node:crypto';
import { organizationBillingStreamId, ORGANIZATION_BILLING_STREAM_TYPE } from '@gyroscops/contracts';
import { BILLING_STATE_SCHEMA_VERSION, encodeBillingState, invoiceStreamId } from '@gyroscops/contracts/workflows';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  evolveOrganizationBilling,
  foldOrganizationBilling,
  isOrganizationBillingEvent,
  type OrganizationBillingEvent,
  type OrganizationBillingState,
  type RecordedUsage,
} from '@gyroscops/domain';
import { appendClaimingUsageRecords, readStream, saveSnapshot, type EventStoreTables } from '@gyroscops/event-store';
import { createDatabase } from '@gyroscops/platform';
import { measure, mintToken } from './harness';
import type { Scenario } from './scenario';

const RECORDS_PER_BATCH = 1_000;
const TARGET_MS = 30_000;

/**
 * Closing a billing cycle of 1,000,000 usage records (10,000 in a smoke run): the organization's
 * stream is seeded with 1,000 UsageRecorded events of 1,000 records each (their ids claimed, as the
 * usage route does) and the snapshot the command workflow saves after every append; then an admin's
 * close over HTTP is timed until it answers, its BillingCycleClosed and InvoiceIssued stored. The
 * snapshot holds the cycle's aggregates, so the close reads a few numbers per meter, not the records.
 */
export const billingCycleCloseScenario: Scenario = {
  name: 'billing cycle close of 1,000,000 records',
  readsSeededPayments: false,
  async run({ stack, sizes, log }) {
    const records = sizes.smoke ? 10_000 : 1_000_000;
    const organizationId = randomUUID();
    const token = mintToken(stack.jwtSecret, { sub: 'bench-billing', orgs: [organizationId], roles: ['admin'] });
    const headers = { ...stack.headers, authorization: `Bearer ${token}` };
    const plan = await fetch(`${stack.commandUrl}/organizations/${organizationId}/billing-plan`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        currency: 'EUR',
        cycle: 'P1M',
        meters: { cpu_seconds: { unitPrice: '0.000012345678', aggregation: 'sum' } },
      }),
    });
    if (plan.status !== 200) throw new Error(`billing plan answered ${plan.status}: ${await plan.text()}`);

    const db = createDatabase<EventStoreTables>({
      url: stack.postgres.eventStoreDatabaseUrl,
      maxConnections: 2,
      applicationName: 'bench-billing',
    });
    try {
      const streamId = organizationBillingStreamId(organizationId);
      const stored = await readStream(db, streamId);
      let state: OrganizationBillingState = foldOrganizationBilling(
        stored.flatMap((event) => {
          const candidate = { type: event.type, data: event.data };
          return isOrganizationBillingEvent(candidate) ? [candidate] : [];
        }),
      );
      if (state.kind !== 'billing') throw new Error('the plan left no billing state');
      const cycleSequence = state.cycle.sequence;
      const occurredAt = new Date(state.cycle.startMs).toISOString();
      const seedStarted = Date.now();
      for (let seeded = 0; seeded < records; seeded += RECORDS_PER_BATCH) {
        const batch: RecordedUsage[] = Array.from({ length: RECORDS_PER_BATCH }, () => ({
          recordId: randomUUID(),
          meter: 'cpu_seconds',
          quantity: '1.5',
          occurredAt,
          resourceId: null,
          properties: {},
          placement: 'current',
        }));
        const event: OrganizationBillingEvent = {
          type: 'UsageRecorded',
          data: { organizationId, cycleSequence, records: batch, duplicates: 0, occurredAt: new Date().toISOString() },
        };
        const version = state.version;
        await appendClaimingUsageRecords(
          db,
          {
            streamId,
            streamType: ORGANIZATION_BILLING_STREAM_TYPE,
            expectedVersion: version,
            events: [
              {
                eventId: randomUUID(),
                type: event.type,
                data: event.data as unknown as Record<string, unknown>,
                metadata: { organizationId, commandId: randomUUID() },
                schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
              },
            ],
          },
          { organizationId, recordIds: batch.map((record) => record.recordId) },
        );
        state = evolveOrganizationBilling(state, event);
      }
      await saveSnapshot(db, {
        streamId,
        version: state.version,
        schemaVersion: BILLING_STATE_SCHEMA_VERSION,
        state: encodeBillingState(state),
      });
      log(`seeded ${records} usage records in ${Math.round((Date.now() - seedStarted) / 1000)} s`);

      const started = performance.now();
      const closed = await fetch(`${stack.commandUrl}/organizations/${organizationId}/billing-cycle/close`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `bench-close-${organizationId}` },
        signal: AbortSignal.timeout(120_000),
      });
      const elapsedMs = performance.now() - started;
      const body = (await closed.json()) as { invoiceId?: string };
      if (closed.status !== 202 || body.invoiceId === undefined)
        throw new Error(`close answered ${closed.status}: ${JSON.stringify(body)}`);
      const [issued] = await readStream(db, invoiceStreamId(body.invoiceId));
      const lines = (issued?.data.lines ?? []) as { meter: string | null; quantity: string }[];
      const billed = lines.find((line) => line.meter === 'cpu_seconds')?.quantity;
      const expected = String(records * 1.5);
      if (billed !== expected) throw new Error(`the invoice bills ${billed} cpu_seconds, not ${expected}`);
      return {
        measures: [
          measure({
            scenario: 'billing cycle close',
            metric: `close of ${records.toLocaleString('en')} records, answered`,
            unit: 'ms',
            values: [elapsedMs],
            target: `< ${TARGET_MS / 1000} s`,
            check: (value) => value < TARGET_MS,
          }),
        ],
        notes: [
          `The invoice bills every seeded record once (${expected} cpu_seconds). The close loads the snapshot (the cycle's aggregates), not the records.`,
        ],
      };
    } finally {
      await db.destroy();
    }
  },
};
