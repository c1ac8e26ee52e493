import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { interleaved, measure, mintToken } from './harness';
import type { Scenario } from './scenario';

const RECORDS_PER_BATCH = 1_000;
/** Organizations sending at once, each one batch after the other, as a metering pipeline's partitions would. */
const SENDERS = 4;
const TARGET_RECORDS_PER_SEC = 10_000;

interface UsageRecordBody {
  recordId: string;
  organizationId: string;
  meter: string;
  quantity: string;
  occurredAt: string;
}

const batchOf = (organizationId: string, occurredAt: string): UsageRecordBody[] =>
  Array.from({ length: RECORDS_PER_BATCH }, (_, index) => ({
    recordId: randomUUID(),
    organizationId,
    meter: index % 2 === 0 ? 'cpu_seconds' : 'requests',
    quantity: index % 2 === 0 ? '1.25' : '1',
    occurredAt,
  }));

/**
 * Usage ingestion through `POST /usage` in batches of 1,000 records (HTTP, validation, the billing
 * command workflow, one append per batch claiming its record ids), against a baseline that INSERTs
 * the same rows into a plain table in one statement per batch, with the same number of senders.
 */
export const usageIngestionScenario: Scenario = {
  name: 'usage ingestion',
  readsSeededPayments: false,
  async run({ stack, sizes, log }) {
    const batchesPerSender = sizes.smoke ? 1 : 10;
    const organizations = Array.from({ length: SENDERS }, () => randomUUID());
    const token = mintToken(stack.jwtSecret, { sub: 'bench-usage', orgs: organizations, roles: ['admin'] });
    const headers = { ...stack.headers, authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const organizationId of organizations) {
      const plan = await fetch(`${stack.commandUrl}/organizations/${organizationId}/billing-plan`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({
          currency: 'EUR',
          cycle: 'P1M',
          meters: {
            cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' },
            requests: { unitPrice: '0.0001', aggregation: 'count' },
          },
        }),
      });
      if (plan.status !== 200) throw new Error(`billing plan answered ${plan.status}: ${await plan.text()}`);
    }
    const pool = new Pool({
      connectionString: stack.postgres.eventStoreDatabaseUrl,
      max: SENDERS,
      application_name: 'bench-usage-baseline',
    });
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS bench_usage_baseline (
        organization_id uuid NOT NULL, record_id text NOT NULL, meter text NOT NULL,
        quantity numeric NOT NULL, occurred_at timestamptz NOT NULL, PRIMARY KEY (organization_id, record_id))`);
      const occurredAt = new Date().toISOString();
      /** Every sender posts its batches one after the other; answers the records per second over all. */
      const ingest = async (send: (organizationId: string, batch: UsageRecordBody[]) => Promise<void>) => {
        const started = performance.now();
        await Promise.all(
          organizations.map(async (organizationId) => {
            for (let index = 0; index < batchesPerSender; index++)
              await send(organizationId, batchOf(organizationId, occurredAt));
          }),
        );
        return (SENDERS * batchesPerSender * RECORDS_PER_BATCH) / ((performance.now() - started) / 1000);
      };
      const viaApi = () =>
        ingest(async (_organizationId, records) => {
          const answer = await fetch(`${stack.commandUrl}/usage`, {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': randomUUID() },
            body: JSON.stringify({ records }),
            signal: AbortSignal.timeout(120_000),
          });
          const body = (await answer.json()) as { accepted?: number };
          if (answer.status !== 202 || body.accepted !== RECORDS_PER_BATCH)
            throw new Error(`POST /usage answered ${answer.status}: ${JSON.stringify(body).slice(0, 500)}`);
        });
      const viaInsert = () =>
        ingest(async (organizationId, records) => {
          await pool.query(
            `INSERT INTO bench_usage_baseline (organization_id, record_id, meter, quantity, occurred_at)
             SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::numeric[], $5::timestamptz[])`,
            [
              organizationId,
              records.map((record) => record.recordId),
              records.map((record) => record.meter),
              records.map((record) => record.quantity),
              records.map((record) => record.occurredAt),
            ],
          );
        });
      // Warm both paths (connections, the worker's first workflow tasks, the snapshot rows).
      await viaApi();
      await viaInsert();
      const runs = await interleaved(sizes.rounds, viaApi, viaInsert);
      log(`usage ingestion: ${runs.subject.map(Math.round).join(', ')} records/s via POST /usage`);
      return {
        measures: [
          measure({
            scenario: 'usage ingestion, POST /usage in batches of 1,000',
            metric: 'records per second',
            unit: 'records/s',
            values: runs.subject,
            baselines: runs.baseline,
            target: `≥ ${TARGET_RECORDS_PER_SEC.toLocaleString('en')}/s and ≥ 0.5×`,
            check: (value, ratio) => value >= TARGET_RECORDS_PER_SEC && ratio !== null && ratio >= 0.5,
          }),
        ],
        notes: [
          `${SENDERS} organizations sending at once, ${batchesPerSender} batches of ${RECORDS_PER_BATCH} each per round; the baseline INSERTs the same rows, one statement per batch (unnest), into a plain table with the same primary key.`,
        ],
      };
    } finally {
      await pool.query('DROP TABLE IF EXISTS bench_usage_baseline').catch(() => undefined);
      await pool.end();
    }
  },
};
