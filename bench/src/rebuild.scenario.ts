import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { EventStoreTables } from '@gyroscops/event-store';
import { createDatabase, dropDatabase, withDatabaseName, withTablesOf } from '@gyroscops/platform';
import {
  applyRebuildBatch,
  ensureCheckpoint,
  prepareRebuild,
  swapRebuild,
  type ProjectionTables,
} from '@gyroscops/projections';
import { evolve, initialPaymentState, isPaymentEvent, type PaymentState } from '@gyroscops/domain';
import { paymentsProjection, stateToRow, type NewPaymentRow } from '@gyroscops/read-models';
import { migrateAll } from '@gyroscops/cli';
import { seedPayments } from './seed-payments';
import { analyzeSeeded } from './analyze-seeded';
import { interleaved, measure } from './harness';
import type { Scenario } from './scenario';

const BATCH = 5_000;

/** The rows the baseline writes, as the read model stores them. */
const PAYMENT_COLUMNS = [
  ['payment_id', 'uuid'],
  ['organization_id', 'text'],
  ['user_id', 'text'],
  ['amount_minor', 'bigint'],
  ['currency', 'text'],
  ['status', 'text'],
  ['description', 'text'],
  ['refunded_minor', 'bigint'],
  ['metadata', 'jsonb'],
  ['failure_reason', 'text'],
  ['gateway_reference', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['version', 'int'],
  ['last_position', 'bigint'],
] as const;

const BASELINE_UPSERT = `
  INSERT INTO bench_payments_rebuild (${PAYMENT_COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${PAYMENT_COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')})
  ON CONFLICT (payment_id) DO UPDATE SET ${PAYMENT_COLUMNS.slice(1)
    .map(([name]) => `${name} = excluded.${name}`)
    .join(', ')}`;

/** A row's value as pg sends it inside an array parameter. */
const columnValue = (value: unknown) =>
  value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? value.toString() : (value ?? null);

/** Order-independent digest of a payments table's rows, to check both sides wrote the same rows. */
const digestOf = (table: string) =>
  `SELECT count(*)::int AS rows, coalesce(md5(string_agg(md5(t::text), '' ORDER BY payment_id)), '') AS digest FROM ${table} t`;

/**
 * A rebuild of the payments read model with the code the rebuild workflow's activities run (prepare,
 * batches into the shadow table, swap) vs a keyset-paged SELECT of the events plus one batched
 * INSERT … ON CONFLICT per page of the same rows: the baseline folds each page with the domain's
 * `evolve` (its states kept in memory for the whole run) and upserts every column into a table of the
 * read model's shape, with all its indexes; the scenario checks both sides end with the same rows.
 * On databases of its own, seeded with `--events`.
 */
export const rebuildScenario: Scenario = {
  name: 'rebuild of the payments read model',
  readsSeededPayments: false,
  async run({ stack, sizes, log }) {
    const suffix = randomBytes(3).toString('hex');
    const urls = {
      eventStoreDatabaseUrl: withDatabaseName(
        stack.postgres.eventStoreDatabaseUrl,
        `gyro_bench_${stack.suffix}_rb${suffix}_es`,
      ),
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
      const { autovacuum } = await analyzeSeeded(urls.eventStoreDatabaseUrl);
      log(`rebuild: seeded ${seeded} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await readPool.query('CREATE TABLE IF NOT EXISTS bench_payments_rebuild (LIKE payments INCLUDING ALL)');

      const platform = async (): Promise<number> => {
        const t0 = performance.now();
        await ensureCheckpoint(readDb, paymentsProjection.name, paymentsProjection.version);
        await prepareRebuild(readDb, eventStore, paymentsProjection);
        for (
          let progress = await applyRebuildBatch(readDb, eventStore, paymentsProjection, BATCH);
          !progress.caughtUp;
        ) {
          progress = await applyRebuildBatch(readDb, eventStore, paymentsProjection, BATCH);
        }
        const done = await swapRebuild(readDb, eventStore, paymentsProjection, BATCH);
        return done.eventsDone / ((performance.now() - t0) / 1000);
      };

      const baseline = async (): Promise<number> => {
        const t0 = performance.now();
        await readPool.query('TRUNCATE bench_payments_rebuild');
        const states = new Map<string, PaymentState>();
        let after = '0';
        let total = 0;
        for (;;) {
          const { rows } = await esPool.query<{
            position: string;
            stream_version: number;
            type: string;
            data: Record<string, unknown>;
          }>(
            `SELECT position, stream_version, type, data FROM events WHERE position > $1 ORDER BY position LIMIT ${BATCH}`,
            [after],
          );
          if (rows.length === 0) break;
          total += rows.length;
          after = rows[rows.length - 1]!.position;
          const touched = new Map<string, bigint>();
          for (const row of rows) {
            const event = { type: row.type, data: row.data };
            if (!isPaymentEvent(event)) continue;
            const paymentId = event.data.paymentId;
            const state = states.get(paymentId) ?? initialPaymentState;
            if (row.stream_version <= state.version) continue;
            states.set(paymentId, evolve(state, event));
            touched.set(paymentId, BigInt(row.position));
          }
          const upserts: NewPaymentRow[] = [];
          const deletions: string[] = [];
          for (const [paymentId, position] of touched) {
            const state = states.get(paymentId)!;
            if (state.kind === 'deleted') deletions.push(paymentId);
            else if (state.kind !== 'absent') upserts.push(stateToRow(state, position));
          }
          if (upserts.length > 0) {
            await readPool.query(
              BASELINE_UPSERT,
              PAYMENT_COLUMNS.map(([name]) => upserts.map((row) => columnValue(row[name]))),
            );
          }
          if (deletions.length > 0)
            await readPool.query('DELETE FROM bench_payments_rebuild WHERE payment_id = ANY($1::uuid[])', [deletions]);
        }
        return total / ((performance.now() - t0) / 1000);
      };

      const rounds = Math.max(1, Math.min(2, sizes.rounds));
      const runs = await interleaved(rounds, platform, baseline);
      const scenario = `${this.name} (${seeded.toLocaleString('en-US')} events)`;
      const [rebuilt, baselined] = await Promise.all([
        readPool.query(digestOf('payments')),
        readPool.query(digestOf('bench_payments_rebuild')),
      ]);
      const sameRows = rebuilt.rows[0].digest === baselined.rows[0].digest;
      return {
        measures: [
          measure({
            scenario,
            metric: 'rebuild rate',
            unit: 'events/s',
            values: runs.subject,
            baselines: runs.baseline,
            target: '≥ 25,000/s and ≥ 0.7×',
            check: (value, ratio) => value >= 25_000 && ratio !== null && ratio >= 0.7,
          }),
        ],
        notes: [
          `batches of ${BATCH}; ${rounds} round(s); ${seeded.toLocaleString('en-US')} events (--events); the seeded event store was ANALYZEd (autovacuum is ${autovacuum ? 'on' : 'off'} on this Postgres)`,
          `baseline: the same fold (domain evolve) and rows, upserted into a table of the read model's shape with its indexes; ` +
            `${sameRows ? 'both sides ended with the same' : 'the two sides ended with DIFFERENT rows:'} ${rebuilt.rows[0].rows} rows${sameRows ? '' : ` vs ${baselined.rows[0].rows}`}`,
        ],
      };
    } finally {
      await Promise.allSettled([eventStore.destroy(), readDb.destroy(), esPool.end(), readPool.end()]);
      await dropDatabase(urls.eventStoreDatabaseUrl).catch(() => undefined);
      await dropDatabase(urls.readDatabaseUrl).catch(() => undefined);
    }
  },
};
