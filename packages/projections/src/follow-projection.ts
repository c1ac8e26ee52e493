import type { AppendWakeups } from './append-wakeups';

/** What one committed batch tells the follower. */
export interface FollowedBatch {
  position: bigint;
  eventsRead: number;
  caughtUp: boolean;
  halted: boolean;
}

export interface FollowProgress {
  position: bigint;
  batches: number;
  eventsApplied: number;
}

export interface FollowOutcome extends FollowProgress {
  /** The projection is halted on a poison event: nothing more is applied until it is resumed. */
  halted: boolean;
}

export interface FollowOptions {
  /**
   * Applies and commits the next batch (see applyNextBatch). `expectedPosition` is where the
   * previous batch left the checkpoint; `isolate` asks for event-by-event application.
   */
  applyBatch: (request: { isolate: boolean; expectedPosition?: bigint }) => Promise<FollowedBatch>;
  /** Append announcements; without them the follower polls every `pollMs`. */
  wakeups?: AppendWakeups;
  /** Look for new events at least this often, even without a wake-up (a lost notification costs this much lag). */
  pollMs: number;
  /** Return (to let the workflow record progress and continue-as-new) after about this long. */
  maxRunMs: number;
  /** Called after every batch and at least every `heartbeatMs` while idle. */
  heartbeat: (progress: FollowProgress) => void;
  heartbeatMs: number;
  /** Stops the follower between batches (the activity's cancellation). */
  signal: AbortSignal;
  /** A batch that failed this many times in a row is applied event by event (poison isolation). */
  isolateAfterFailures?: number;
  /** Observed on every failed batch (logging). */
  onError?: (error: unknown, failures: number) => void;
  now?: () => number;
}

/** Backoff of a failing batch: 200 ms doubling to 30 s, as the projection workflow's activity retry was. */
const FAILURE_FIRST_DELAY_MS = 200;
const FAILURE_MAX_DELAY_MS = 30_000;
/**
 * Announced events the gap-safe read cannot see yet (an older transaction somewhere in the cluster
 * is still open): look again after 1 ms, doubling to 100 ms, until they are applied (announcements
 * come from appends that committed events, so they always end up readable; a long transaction
 * shows as lag, never as a loss). A local commit or a new announcement cuts the wait short.
 */
const OWED_FIRST_DELAY_MS = 1;
const OWED_MAX_DELAY_MS = 100;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * The catch-up loop of one projection, run inside a long-lived activity: apply batches while there
 * are events, then wait for an append's notification (or the fallback poll), and again. Every batch
 * is its own read-database transaction with the checkpoint (applyNextBatch), so stopping anywhere
 * (cancellation, a crash) loses and doubles nothing. A failing batch is retried here with backoff,
 * event by event from the fourth attempt so a poison event is parked (or halts the projection).
 * Returns when halted or after `maxRunMs`; throws when `signal` aborts (the caller's cancellation).
 */
export async function followProjection(options: FollowOptions): Promise<FollowOutcome> {
  const now = options.now ?? Date.now;
  const { signal, wakeups } = options;
  const deadline = now() + options.maxRunMs;
  const isolateAfter = options.isolateAfterFailures ?? 3;
  const progress: FollowProgress = { position: 0n, batches: 0, eventsApplied: 0 };
  let expectedPosition: bigint | undefined;
  let failures = 0;
  let lastHeartbeat = now();
  let owedDelayMs = OWED_FIRST_DELAY_MS;
  const beat = () => {
    lastHeartbeat = now();
    options.heartbeat({ ...progress });
  };

  for (;;) {
    signal.throwIfAborted();
    const seen = wakeups?.generation ?? 0;
    let batch: FollowedBatch;
    try {
      batch = await options.applyBatch({ isolate: failures >= isolateAfter, expectedPosition });
    } catch (error) {
      if (signal.aborted) throw error;
      failures += 1;
      expectedPosition = undefined;
      options.onError?.(error, failures);
      beat();
      await sleep(Math.min(FAILURE_FIRST_DELAY_MS * 2 ** (failures - 1), FAILURE_MAX_DELAY_MS), signal);
      continue;
    }
    failures = 0;
    progress.position = batch.position;
    progress.batches += batch.eventsRead > 0 ? 1 : 0;
    progress.eventsApplied += batch.eventsRead;
    expectedPosition = batch.halted ? undefined : batch.position;
    if (batch.eventsRead > 0 || now() - lastHeartbeat >= options.heartbeatMs) beat();
    if (batch.halted) return { ...progress, halted: true };
    if (!batch.caughtUp) continue;
    if (now() >= deadline) return { ...progress, halted: false };

    if (wakeups && batch.position <= wakeups.announced) {
      await wakeups.waitBeyond(seen, owedDelayMs, signal);
      owedDelayMs = Math.min(owedDelayMs * 2, OWED_MAX_DELAY_MS);
      continue;
    }
    owedDelayMs = OWED_FIRST_DELAY_MS;
    const waitMs = Math.max(1, Math.min(options.pollMs, options.heartbeatMs, deadline - now()));
    await (wakeups ? wakeups.waitBeyond(seen, waitMs, signal) : sleep(waitMs, signal));
  }
}
