import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { EventStoreTables } from '@gyroscops/event-store';
import { createDatabase, dropDatabase, withDatabaseName, withTablesOf } from '@gyroscops/platform';
import { applyRebuildBatch, ensureCheckpoint, prepareRebuild, swapRebuild, type ProjectionTables } from '@gyroscops/projections';
import { paymentsProjection } from '@gyroscops/read-models';
import { migrateAll } from '../database-migrations';
import { seedPayments } from '../seed-payments';
import { interleaved, measure } from './harness';
import type { Scenario } from './scenario';

const BATCH = 5_000;
const STATUS_OF: Record<string, string | undefined> = {
  PaymentInitiated: 'pending',
  PaymentProcessed: 'processed',
  PaymentFailed: 'failed',
  PaymentRefunded: 'refunded',
  PaymentDeleted: 'deleted',
};

interface BaselineRow {
  payment_id: string;
  organization_id: string | null;
  amount: string | null;
  currency: string | null;
  status: string | null;
  version: number;
}

/**
 * A rebuild of the payments read model with the code the rebuild workflow's activities run (prepare,
 * batches into the shadow table, swap) vs a keyset-paged SELECT of the events plus one batched
 * INSERT … ON CONFLICT per page of the same rows. On databases of its own, seeded with `--events`.
 */
export const rebuildScenario: Scenario = {
  name: 'rebuild of the payments read model',
  async run({ stack, sizes, log }) {
    const suffix = randomBytes(3).toString('hex');
    const urls = {
      eventStoreDatabaseUrl: withDatabaseName(stack.postgres.eventStoreDatabaseUrl, `gyro_bench_${stack.suffix}_rb${suffix}_es`),
      readDatabaseUrl: withDatabaseName(stack.postgres.readDatabaseUrl, `gyro_bench_${stack.suffix}_rb${suffix}_read`),
      poolSize: 10,
    };
    await migrateAll(urls, () => undefined);
    const eventStore = createDatabase<EventStoreTables>({ url: urls.eventStoreDatabaseUrl, maxConnections: 10 });
    const readDb = withTablesOf<ProjectionTables>(createDatabase({ url: urls.readDatabaseUrl, maxConnections: 4 }));
    const esPool = new Pool({ connectionString: urls.eventStoreDatabaseUrl, max: 2 });
    const readPool = new Pool({ connectionString: urls.readDatabaseUrl, max: 2 });
    try {
      const started = performance.now();
      const seeded = await seedPayments(eventStore, { events: sizes.events });
      log(`rebuild: seeded ${seeded} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await readPool.query(`CREATE TABLE IF NOT EXISTS bench_payments_rebuild (
        payment_id uuid PRIMARY KEY, organization_id text, amount text, currency text, status text, version int NOT NULL)`);

      const platform = async (): Promise<number> => {
        const t0 = performance.now();
        await ensureCheckpoint(readDb, paymentsProjection.name, paymentsProjection.version);
        await prepareRebuild(readDb, eventStore, paymentsProjection);
        for (let progress = await applyRebuildBatch(readDb, eventStore, paymentsProjection, BATCH); !progress.caughtUp; ) {
          progress = await applyRebuildBatch(readDb, eventStore, paymentsProjection, BATCH);
        }
        const done = await swapRebuild(readDb, eventStore, paymentsProjection, BATCH);
        return done.eventsDone / ((performance.now() - t0) / 1000);
      };

      const baseline = async (): Promise<number> => {
        const t0 = performance.now();
        await readPool.query('TRUNCATE bench_payments_rebuild');
        let after = '0';
        let total = 0;
        for (;;) {
          const { rows } = await esPool.query<{ position: string; stream_id: string; stream_version: number; type: string; data: Record<string, unknown>; organization_id: string | null }>(
            `SELECT position, stream_id, stream_version, type, data, organization_id FROM events
             WHERE position > $1 AND stream_type = 'payment' ORDER BY position LIMIT ${BATCH}`,
            [after],
          );
          if (rows.length === 0) break;
          total += rows.length;
          after = rows[rows.length - 1]!.position;
          const batch = new Map<string, BaselineRow>();
          for (const event of rows) {
            const paymentId = event.stream_id.slice('payment-'.length);
            const row = batch.get(paymentId) ?? { payment_id: paymentId, organization_id: null, amount: null, currency: null, status: null, version: 0 };
            if (event.type === 'PaymentInitiated') {
              row.organization_id = event.organization_id;
              row.amount = String(event.data.amount ?? '');
              row.currency = String(event.data.currency ?? '');
            }
            row.status = STATUS_OF[event.type] ?? row.status;
            row.version = event.stream_version;
            batch.set(paymentId, row);
          }
          const list = [...batch.values()];
          await readPool.query(
            `INSERT INTO bench_payments_rebuild (payment_id, organization_id, amount, currency, status, version)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
             ON CONFLICT (payment_id) DO UPDATE SET status = COALESCE(EXCLUDED.status, bench_payments_rebuild.status), version = EXCLUDED.version`,
            [list.map((r) => r.payment_id), list.map((r) => r.organization_id), list.map((r) => r.amount), list.map((r) => r.currency), list.map((r) => r.status), list.map((r) => r.version)],
          );
        }
        return total / ((performance.now() - t0) / 1000);
      };

      const rounds = Math.max(1, Math.min(2, sizes.rounds));
      const runs = await interleaved(rounds, platform, baseline);
      const scenario = `${this.name} (${seeded.toLocaleString('en-US')} events)`;
      return {
        measures: [
          measure({ scenario, metric: 'rebuild rate', unit: 'events/s', values: runs.subject, baselines: runs.baseline, target: '≥ 25,000/s and ≥ 0.7×', check: (value, ratio) => value >= 25_000 && ratio !== null && ratio >= 0.7 }),
        ],
        notes: [`batches of ${BATCH}; ${rounds} round(s); target scale is 1,000,000 events (--events)`],
      };
    } finally {
      await Promise.allSettled([eventStore.destroy(), readDb.destroy(), esPool.end(), readPool.end()]);
      await dropDatabase(urls.eventStoreDatabaseUrl).catch(() => undefined);
      await dropDatabase(urls.readDatabaseUrl).catch(() => undefined);
    }
  },
};
