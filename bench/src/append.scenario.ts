import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  appendToStream,
  isStreamVersionConflictError,
  type EventStoreTables,
  type NewEvent,
} from '@gyroscops/event-store';
import { createDatabase } from '@gyroscops/platform';
import { closedLoop, measure, median, type Measure } from './harness';
import type { Scenario } from './scenario';

const EVENTS_PER_APPEND = 10;

function newEvents(): NewEvent[] {
  return Array.from({ length: EVENTS_PER_APPEND }, (_, n) => ({
    eventId: randomUUID(),
    type: 'BenchEventAppended',
    data: { n, amount: '12.34', currency: 'EUR', note: 'benchmark event' },
    metadata: { organizationId: 'org-bench', correlationId: randomUUID() },
  }));
}

const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';

/**
 * Appends of 10 events through appendToStream (1 writer, 8 writers on distinct streams, 8 writers on
 * one stream with optimistic-concurrency retries) vs a raw multi-row INSERT of the same 10 events in
 * one transaction. Runs on scratch databases the services do not read.
 */
export const appendScenario: Scenario = {
  name: 'event store append of 10 events',
  readsSeededPayments: false,
  async run({ stack, sizes }) {
    const url = stack.scratch.eventStoreDatabaseUrl;
    const db = createDatabase<EventStoreTables>({ url, maxConnections: 10, applicationName: 'bench-append' });
    const pool = new Pool({ connectionString: url, max: 10, application_name: 'bench-append-raw' });
    const durationMs = sizes.durationSec * 1000 * 0.75;
    try {
      // The baseline writes the same rows into the same indexes (the events table's five query indexes
      // included: they are what the event search needs), the simplest way: positions from a sequence,
      // one multi-row INSERT in BEGIN/COMMIT, no version check, no stream row.
      await pool.query(
        `CREATE TABLE IF NOT EXISTS bench_raw_events (LIKE events INCLUDING DEFAULTS INCLUDING INDEXES)`,
      );
      await pool.query(`CREATE SEQUENCE IF NOT EXISTS bench_raw_events_position OWNED BY bench_raw_events.position`);
      await pool.query(
        `ALTER TABLE bench_raw_events ALTER COLUMN position SET DEFAULT nextval('bench_raw_events_position')`,
      );

      const appendNew = () =>
        appendToStream(db, {
          streamId: `bench-${randomUUID()}`,
          streamType: 'bench',
          expectedVersion: 'no_stream',
          events: newEvents(),
        });
      const rawInsert = async () => {
        const streamId = `bench-${randomUUID()}`;
        const events = newEvents();
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const values: unknown[] = [];
          const tuples = events.map((event, index) => {
            const metadata = event.metadata as { correlationId?: string; organizationId?: string };
            values.push(
              streamId,
              index + 1,
              event.eventId,
              event.type,
              JSON.stringify(event.data),
              JSON.stringify(event.metadata),
              metadata.correlationId,
              metadata.organizationId,
            );
            const p = index * 8;
            return `($${p + 1}, 'bench', $${p + 2}, $${p + 3}, $${p + 4}, 1, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, pg_current_xact_id())`;
          });
          await client.query(
            `INSERT INTO bench_raw_events (stream_id, stream_type, stream_version, event_id, type, schema_version, data, metadata, correlation_id, organization_id, transaction_id)
             VALUES ${tuples.join(', ')}`,
            values,
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      };
      let conflicts = 0;
      const appendOneStream = (streamId: string) => async () => {
        for (;;) {
          const row = await db
            .selectFrom('streams')
            .select('version')
            .where('stream_id', '=', streamId)
            .executeTakeFirst();
          try {
            return await appendToStream(db, {
              streamId,
              streamType: 'bench',
              expectedVersion: row ? row.version : 'no_stream',
              events: newEvents(),
            });
          } catch (error) {
            if (!isStreamVersionConflictError(error) && !isUniqueViolation(error)) throw error;
            conflicts++;
          }
        }
      };

      type Run = { p50: number; eventsPerSec: number; errors: number };
      const asRun = (result: Awaited<ReturnType<typeof closedLoop>>): Run => ({
        p50: median(result.latencies),
        eventsPerSec: (result.done * EVENTS_PER_APPEND) / (result.elapsedMs / 1000),
        errors: result.errors,
      });
      const results: Record<string, Run[]> = { es1: [], raw1: [], es8: [], raw8: [], one8: [] };
      const integrity: string[] = [];
      for (let round = 0; round < sizes.rounds; round++) {
        const streamId = `bench-one-${round}-${randomUUID()}`;
        const steps: [string, () => Promise<Run>][] = [
          ['es1', async () => asRun(await closedLoop(1, durationMs, appendNew))],
          ['raw1', async () => asRun(await closedLoop(1, durationMs, rawInsert))],
          ['es8', async () => asRun(await closedLoop(8, durationMs, appendNew))],
          ['raw8', async () => asRun(await closedLoop(8, durationMs, rawInsert))],
          ['one8', async () => asRun(await closedLoop(8, durationMs, appendOneStream(streamId)))],
        ];
        if (round % 2 === 1) steps.reverse();
        for (const [key, step] of steps) results[key]!.push(await step());
        // No lost or duplicated version on the contended stream: versions 1..n, each once, n = 10 × appends.
        const check = await pool.query<{
          count: string;
          distinct: string;
          min: number | null;
          max: number | null;
          head: number | null;
        }>(
          `SELECT count(*) AS count, count(DISTINCT stream_version) AS distinct, min(stream_version) AS min, max(stream_version) AS max,
                  (SELECT version FROM streams WHERE stream_id = $1) AS head
           FROM events WHERE stream_id = $1`,
          [streamId],
        );
        const { count, distinct, min, max, head } = check.rows[0]!;
        const ok =
          Number(count) === Number(distinct) &&
          min === 1 &&
          max === Number(count) &&
          head === max &&
          Number(count) % EVENTS_PER_APPEND === 0;
        integrity.push(
          ok
            ? `round ${round + 1}: ${count} events, versions 1..${max} each once`
            : `round ${round + 1}: BROKEN count=${count} distinct=${distinct} min=${min} max=${max} head=${head}`,
        );
      }
      const scenario = this.name;
      const p50 = (key: string) => results[key]!.map((r) => r.p50);
      const rate = (key: string) => results[key]!.map((r) => r.eventsPerSec);
      const errors = Object.values(results)
        .flat()
        .reduce((sum, r) => sum + r.errors, 0);
      const intact = integrity.every((line) => !line.includes('BROKEN'));
      const measures: Measure[] = [
        measure({
          scenario,
          metric: '1 writer, p50 latency',
          unit: 'ms',
          values: p50('es1'),
          baselines: p50('raw1'),
          target: '≤ 1.25×',
          check: (_v, ratio) => ratio !== null && ratio <= 1.25,
        }),
        measure({
          scenario,
          metric: '8 writers, p50 latency',
          unit: 'ms',
          values: p50('es8'),
          baselines: p50('raw8'),
          target: '≤ 1.25×',
          check: (_v, ratio) => ratio !== null && ratio <= 1.25,
        }),
        measure({
          scenario,
          metric: '1 writer, throughput',
          unit: 'events/s',
          values: rate('es1'),
          baselines: rate('raw1'),
        }),
        measure({
          scenario,
          metric: '8 writers, throughput',
          unit: 'events/s',
          values: rate('es8'),
          baselines: rate('raw8'),
          target: '≥ 0.8×',
          check: (_v, ratio) => ratio !== null && ratio >= 0.8,
        }),
        measure({
          scenario: '8 writers on one stream',
          metric: 'throughput vs distinct streams',
          unit: 'events/s',
          values: rate('one8'),
          baselines: rate('es8'),
          target: 'no lost or duplicated version; ratio reported',
          check: () => intact,
        }),
      ];
      return {
        measures,
        notes: [
          `closed loop, ${Math.round(durationMs)} ms per variant per round; ${conflicts} version conflicts retried on the shared stream`,
          ...integrity,
          ...(errors > 0 ? [`${errors} failed appends`] : []),
        ],
      };
    } finally {
      await Promise.allSettled([db.destroy(), pool.end()]);
    }
  },
};
