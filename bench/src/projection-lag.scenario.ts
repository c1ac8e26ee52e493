import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import Redis from 'ioredis';
import { PAYMENT_STREAM_TYPE, PROJECTIONS, paymentStreamId } from '@gyroscops/contracts';
import { parseAnnouncement, projectionChannel } from '@gyroscops/projections';
import { decide, foldPayment, isDomainError } from '@gyroscops/domain';
import { appendToStream, notifyAppended, type EventStoreTables } from '@gyroscops/event-store';
import { createDatabase } from '@gyroscops/platform';
import { sleep } from '@gyroscops/dev-infra';
import { interleaved, measure, openLoop, percentile } from './harness';
import type { Scenario } from './scenario';

const RATE = 200;

/** Commit and visibility times of one write; the lag is known once both are. */
class LagTracker {
  private readonly committed = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  readonly lags: number[] = [];
  commit(id: string, at: number) {
    const seenAt = this.seen.get(id);
    if (seenAt === undefined) this.committed.set(id, at);
    else this.record(id, at, seenAt);
  }
  see(id: string, at: number) {
    const committedAt = this.committed.get(id);
    if (committedAt === undefined) this.seen.set(id, at);
    else this.record(id, committedAt, at);
  }
  private record(id: string, committedAt: number, seenAt: number) {
    this.committed.delete(id);
    this.seen.delete(id);
    this.lags.push(Math.max(0, seenAt - committedAt));
  }
  pending(): string[] {
    return [...this.committed.keys()];
  }
}

/**
 * Projection lag at 200 events/s: a PaymentCreated appended to the event store (as the command worker
 * does, with the NOTIFY its activity sends after the commit) until the payments projection announces
 * the batch that wrote its row (published after that commit), vs a minimal consumer: a row INSERTed
 * with pg_notify in one transaction and a LISTENing client that SELECTs it.
 */
export const projectionLagScenario: Scenario = {
  name: 'projection lag at 200 events/s',
  readsSeededPayments: false,
  async run({ stack, sizes }) {
    const eventStore = createDatabase<EventStoreTables>({
      url: stack.postgres.eventStoreDatabaseUrl,
      maxConnections: 10,
      applicationName: 'bench-lag',
    });
    const scratchPool = new Pool({
      connectionString: stack.scratch.readDatabaseUrl,
      max: 10,
      application_name: 'bench-lag-baseline',
    });
    // The minimal consumer: one LISTENing connection, and a pool for its SELECTs.
    const consumerPool = new Pool({
      connectionString: stack.scratch.readDatabaseUrl,
      max: 4,
      application_name: 'bench-lag-consumer',
    });
    const listener = new Client({
      connectionString: stack.scratch.readDatabaseUrl,
      application_name: 'bench-lag-listener',
    });
    const subscriber = new Redis(stack.redisUrl);
    const durationMs = sizes.durationSec * 1000;
    let missing = 0;
    /** The payments projection's batches seen during the subject's rounds: how the lag splits. */
    const batches = { count: 0, payments: 0 };
    /** Append announcements in flight: awaited before the pool closes. */
    const signals: Promise<unknown>[] = [];
    try {
      await scratchPool.query(
        'CREATE TABLE IF NOT EXISTS bench_notified (id uuid PRIMARY KEY, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
      );
      await listener.connect();
      await listener.query('LISTEN bench_lag');
      await subscriber.subscribe(projectionChannel(stack.redisPrefix));

      const projected = async (): Promise<number[]> => {
        const tracker = new LagTracker();
        // A payment is visible once the payments projection announces the batch that wrote it: the
        // announcement is published after that batch's commit (and its cache invalidation), so this
        // errs late, never early, and puts no polling load on the 2 cores the projection shares.
        const onAnnouncement = (channel: string, message: string) => {
          if (channel !== projectionChannel(stack.redisPrefix)) return;
          const announcement = parseAnnouncement(message);
          if (announcement?.projection !== PROJECTIONS.payments) return;
          const now = performance.now();
          batches.count += 1;
          batches.payments += announcement.changes.paymentIds.length;
          for (const paymentId of announcement.changes.paymentIds) tracker.see(paymentId, now);
        };
        subscriber.on('message', onAnnouncement);
        await openLoop(RATE, durationMs, async () => {
          const paymentId = randomUUID();
          const created = decide(
            foldPayment([]),
            {
              type: 'CreatePayment',
              data: { paymentId, organizationId: 'org-bench', userId: 'bench', amount: '12.34', currency: 'EUR' },
            },
            new Date().toISOString(),
          );
          if (isDomainError(created)) throw created;
          const appended = await appendToStream(eventStore, {
            streamId: paymentStreamId(paymentId),
            streamType: PAYMENT_STREAM_TYPE,
            expectedVersion: 'no_stream',
            events: created.map((event) => ({
              eventId: randomUUID(),
              type: event.type,
              data: event.data as unknown as Record<string, unknown>,
              metadata: { organizationId: 'org-bench', userId: 'bench' },
            })),
          });
          tracker.commit(paymentId, performance.now());
          // What the command worker does after its append: announce it to the projection followers (fire and forget).
          signals.push(notifyAppended(eventStore, appended.firstPosition).catch(() => undefined));
        });
        const deadline = Date.now() + 15_000;
        while (tracker.pending().length > 0 && Date.now() < deadline) await sleep(5);
        missing += tracker.pending().length;
        subscriber.off('message', onAnnouncement);
        return tracker.lags;
      };

      const notified = async (): Promise<number[]> => {
        const tracker = new LagTracker();
        const onNotification = (message: { payload?: string }) => {
          const id = message.payload;
          if (!id) return;
          void consumerPool
            .query<{ id: string }>('SELECT id FROM bench_notified WHERE id = $1', [id])
            .then(({ rows }) => {
              if (rows.length > 0) tracker.see(id, performance.now());
            });
        };
        listener.on('notification', onNotification);
        try {
          await openLoop(RATE, durationMs, async () => {
            const id = randomUUID();
            await scratchPool.query(
              "WITH inserted AS (INSERT INTO bench_notified (id, data) VALUES ($1, $2) RETURNING id) SELECT pg_notify('bench_lag', id::text) FROM inserted",
              [id, JSON.stringify({ amount: '12.34', currency: 'EUR' })],
            );
            tracker.commit(id, performance.now());
          });
          const deadline = Date.now() + 10_000;
          while (tracker.pending().length > 0 && Date.now() < deadline) await sleep(5);
          missing += tracker.pending().length;
          return tracker.lags;
        } finally {
          listener.off('notification', onNotification);
        }
      };

      const runs = await interleaved(sizes.rounds, projected, notified);
      const scenario = this.name;
      const p = (runs: number[][], q: number) => runs.map((lags) => percentile(lags, q));
      return {
        measures: [
          measure({
            scenario,
            metric: 'p50 lag',
            unit: 'ms',
            values: p(runs.subject, 50),
            baselines: p(runs.baseline, 50),
            target: '≤ 5 ms',
            check: (value) => value <= 5,
          }),
          measure({
            scenario,
            metric: 'p99 lag',
            unit: 'ms',
            values: p(runs.subject, 99),
            baselines: p(runs.baseline, 99),
            target: '≤ 25 ms',
            check: (value) => value <= 25,
          }),
        ],
        notes: [
          `payments projection: ${batches.count} batches for ${batches.payments} payments (${(batches.payments / Math.max(1, batches.count)).toFixed(2)} per batch)`,
          `${RATE} appends/s of one PaymentCreated each for ${sizes.durationSec} s per round; a payment counts as visible when the payments projection announces its batch (after the commit and the cache invalidation); the baseline's consumer SELECTs the row when notified`,
          ...(missing > 0 ? [`${missing} writes never became visible within the wait`] : []),
        ],
      };
    } finally {
      await listener.end().catch(() => undefined);
      subscriber.disconnect();
      await Promise.allSettled(signals);
      await Promise.allSettled([eventStore.destroy(), scratchPool.end(), consumerPool.end()]);
    }
  },
};
