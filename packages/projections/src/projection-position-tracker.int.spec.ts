/**
 * Proves the position tracker behind read-your-writes, with a real Redis publisher and subscriber and
 * real checkpoints in Postgres: a waiter is woken by the first announcement that reaches its target
 * (not by a lower one, nor by another projection's), times out with false otherwise, and the tracker
 * can learn positions from the checkpoint table alone; several projections count as the lowest.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, createRedis, runMigrations } from '@gyroscops/platform';
import { sql, type Kysely } from 'kysely';
import { ensureCheckpoint } from './projection-checkpoints';
import { announceBatch, type ProjectionAnnouncement } from './projection-notifier';
import { ProjectionPositionTracker, type ProjectionPositionTrackerOptions } from './projection-position-tracker';
import { projectionMigrations } from './migrations';
import type { ProjectionTables } from './tables';

let env: TestEnvironment;
let readDb: Kysely<ProjectionTables>;
let publisher: Redis;
const opened: { tracker: ProjectionPositionTracker; subscriber: Redis }[] = [];

beforeAll(async () => {
  env = await createTestEnvironment();
  readDb = createDatabase<ProjectionTables>({ url: env.readDatabaseUrl });
  await runMigrations(readDb, projectionMigrations);
  publisher = createRedis({ url: env.redisUrl, keyPrefix: env.redisPrefix }, { name: 'tracker-test-publisher' });
});

afterEach(async () => {
  for (const { tracker, subscriber } of opened.splice(0)) {
    tracker.stop();
    await subscriber.quit();
  }
});

afterAll(async () => {
  await publisher?.quit();
  await readDb?.destroy();
  await env?.dispose();
});

/** A started tracker on its own subscriber connection, configured as query-api configures it unless `options` say otherwise. */
async function startTracker(options: ProjectionPositionTrackerOptions = {}): Promise<ProjectionPositionTracker> {
  const subscriber = createRedis(
    { url: env.redisUrl, keyPrefix: env.redisPrefix },
    { name: 'tracker-test-subscriber', offlineQueue: true, commandTimeoutMs: 5_000 },
  );
  const tracker = new ProjectionPositionTracker(readDb, subscriber, env.redisPrefix, options);
  opened.push({ tracker, subscriber });
  await tracker.start();
  return tracker;
}

const newProjectionName = () => `test-${randomUUID()}`;

const setCheckpoint = async (projection: string, position: bigint) => {
  await ensureCheckpoint(readDb, projection, 1);
  await sql`UPDATE projection_checkpoints SET position = ${position.toString()} WHERE projection = ${projection}`.execute(
    readDb,
  );
};

const announce = (projection: string, position: bigint) =>
  announceBatch(publisher, env.redisPrefix, {
    projection,
    position: position.toString(),
    changes: { paymentIds: [], organizationIds: [] },
  });

/** Resolves once the tracker has handled an announcement of `projection` at `position`. */
const handled = (tracker: ProjectionPositionTracker, projection: string, position: bigint) =>
  new Promise<void>((resolve) => {
    const off = tracker.onAnnouncement((announcement: ProjectionAnnouncement) => {
      if (announcement.projection === projection && announcement.position === position.toString()) {
        off();
        resolve();
      }
    });
  });

/**
 * Lets every promise callback queued so far run (one macrotask turn): a waiter woken while an
 * announcement was handled has settled by then, so `settled === false` afterwards means it was not woken.
 */
const flushPromises = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A waitFor whose settlement the test can look at without awaiting it. */
function track(promise: Promise<boolean>) {
  const state: { settled: boolean; value?: boolean; promise: Promise<boolean> } = { settled: false, promise };
  void promise.then((value) => Object.assign(state, { settled: true, value }));
  return state;
}

describe('ProjectionPositionTracker', () => {
  it('waitFor resolves true as soon as an announcement reaches the target, and not before', async () => {
    const projection = newProjectionName();
    await setCheckpoint(projection, 10n);
    const tracker = await startTracker();
    const startedAt = Date.now();
    const waiting = track(tracker.waitFor([projection], 100n, 10_000));

    const lower = handled(tracker, projection, 50n);
    expect(await announce(projection, 50n)).toBe(true);
    await lower;
    const otherProjection = newProjectionName();
    const other = handled(tracker, otherProjection, 500n);
    await announce(otherProjection, 500n);
    await other;
    await flushPromises();
    expect(waiting.settled).toBe(false);

    await announce(projection, 120n);

    expect(await waiting.promise).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(tracker.positionOf([projection])).toBe(120n);
  });

  it('waitFor resolves false after its timeout when nothing reaches the target', async () => {
    const projection = newProjectionName();
    await setCheckpoint(projection, 10n);
    const tracker = await startTracker();
    await announce(projection, 99n);
    const startedAt = Date.now();

    expect(await tracker.waitFor([projection], 100n, 200)).toBe(false);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(195);
  });

  it('waitFor answers at once from the checkpoint table when the target is already there', async () => {
    const projection = newProjectionName();
    const tracker = await startTracker();
    await setCheckpoint(projection, 300n);

    expect(await tracker.waitFor([projection], 300n, 0)).toBe(true);
    expect(await tracker.waitFor([projection], 301n, 0)).toBe(false);
  });

  it('waitFor takes one last look at the checkpoint table before answering false', async () => {
    const projection = newProjectionName();
    await setCheckpoint(projection, 10n);
    const tracker = await startTracker();
    const waiting = tracker.waitFor([projection], 100n, 300);

    // Committed without an announcement (Redis lost it): only the final look can see it.
    await setCheckpoint(projection, 100n);

    expect(await waiting).toBe(true);
  });

  it('a target seen only in the checkpoint table waits for its announcement, so a cache fill is not dropped by it', async () => {
    const projection = newProjectionName();
    // A grace far longer than the test: only the announcement can end this wait.
    const announcementGraceMs = 600_000;
    const tracker = await startTracker({ announcementGraceMs });
    // Committed, not yet announced: the worker is between its commit and its announcement.
    await setCheckpoint(projection, 100n);
    const startedAt = Date.now();
    const waiting = track(tracker.waitFor([projection], 100n, 600_000));
    // waitFor reads the checkpoint table first; once it has, the target is known to be committed.
    await waitFor('the tracker to read the checkpoint', async () => tracker.positionOf([projection]) === 100n, {
      intervalMs: 5,
    });
    await flushPromises();
    expect(waiting.settled).toBe(false);

    await announce(projection, 100n);

    expect(await waiting.promise).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(announcementGraceMs);
  });

  it('a committed target whose announcement never comes is reached after a short grace, not after the timeout', async () => {
    const projection = newProjectionName();
    const tracker = await startTracker();
    await setCheckpoint(projection, 100n);
    const startedAt = Date.now();

    expect(await tracker.waitFor([projection], 100n, 10_000)).toBe(true);

    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('refresh() picks up a checkpoint written straight to the table', async () => {
    const projection = newProjectionName();
    await setCheckpoint(projection, 7n);
    const tracker = await startTracker();
    expect(tracker.positionOf([projection])).toBe(7n);

    await setCheckpoint(projection, 42n);
    expect(tracker.positionOf([projection])).toBe(7n);
    await tracker.refresh();

    expect(tracker.positionOf([projection])).toBe(42n);
  });

  it('never moves a position backwards', async () => {
    const projection = newProjectionName();
    await setCheckpoint(projection, 40n);
    const tracker = await startTracker();

    const stale = handled(tracker, projection, 30n);
    await announce(projection, 30n);
    await stale;

    expect(tracker.positionOf([projection])).toBe(40n);
  });

  it('positionOf several projections is the lowest, an unknown one counting as 0', async () => {
    const [a, b, c] = [newProjectionName(), newProjectionName(), newProjectionName()];
    await setCheckpoint(a, 500n);
    await setCheckpoint(b, 200n);
    await setCheckpoint(c, 900n);
    const tracker = await startTracker();

    expect(tracker.positionOf([a, b, c])).toBe(200n);
    expect(tracker.positionOf([a, c])).toBe(500n);
    expect(tracker.positionOf([a, newProjectionName()])).toBe(0n);
  });

  it('a waiter on several projections is woken only when the slowest reaches the target', async () => {
    const [a, b] = [newProjectionName(), newProjectionName()];
    await setCheckpoint(a, 1n);
    await setCheckpoint(b, 1n);
    const tracker = await startTracker();
    const waiting = track(tracker.waitFor([a, b], 100n, 10_000));

    const first = handled(tracker, a, 150n);
    await announce(a, 150n);
    await first;
    await flushPromises();
    expect(waiting.settled).toBe(false);

    await announce(b, 100n);

    expect(await waiting.promise).toBe(true);
    expect(tracker.positionOf([a, b])).toBe(100n);
  });

  it('ignores malformed messages on the channel', async () => {
    const projection = newProjectionName();
    const tracker = await startTracker();
    const seen: string[] = [];
    tracker.onAnnouncement((announcement) => seen.push(announcement.position));

    await publisher.publish(`${env.redisPrefix}projections`, 'not json');
    await publisher.publish(`${env.redisPrefix}projections`, JSON.stringify({ projection, position: '-5' }));
    await publisher.publish(`${env.redisPrefix}projections`, JSON.stringify({ projection, position: 12 }));
    const valid = handled(tracker, projection, 3n);
    await announce(projection, 3n);
    await valid;

    expect(seen).toEqual(['3']);
    expect(tracker.positionOf([projection])).toBe(3n);
  });
});
