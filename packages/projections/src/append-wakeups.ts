import { Client } from 'pg';
import { APPENDED_CHANNEL, parseAppendNotification } from '@gyroscops/event-store';

/**
 * Wake-ups for projection followers in one process. Every wake-up (an append committed anywhere, a
 * reconnection, or a local nudge) bumps `generation`: a follower notes it before reading, and
 * `waitBeyond` returns at once when anything happened since, so no wake-up is lost between a read
 * and the wait that follows it.
 */
export interface AppendWakeups {
  readonly generation: number;
  /** The highest position bound announced by an append (0n none): events above it may still be owed. */
  readonly announced: bigint;
  /** Resolves once `generation` moves past `seen`, after `timeoutMs`, or when `signal` aborts. Never rejects. */
  waitBeyond(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Wakes every waiter: a local commit may have ended the transaction a gap-safe read was waiting for. */
  nudge(): void;
}

/** In-process wake-ups only (no LISTEN): followers poll on their timer and wake each other. */
export class LocalWakeups implements AppendWakeups {
  private currentGeneration = 0;
  private latest = 0n;
  private readonly waiters = new Set<() => void>();

  get generation(): number {
    return this.currentGeneration;
  }

  get announced(): bigint {
    return this.latest;
  }

  /** Records an announced position bound (or just wakes, for a reconnection) and wakes every waiter. */
  announce(position?: bigint): void {
    if (position !== undefined && position > this.latest) this.latest = position;
    this.nudge();
  }

  nudge(): void {
    this.currentGeneration += 1;
    for (const wake of [...this.waiters]) wake();
  }

  waitBeyond(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.currentGeneration !== seen || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

export interface PostgresAppendListenerOptions {
  /** The event store database, on which appenders NOTIFY after each committed append. */
  url: string;
  applicationName?: string;
  onError?: (error: Error) => void;
}

const RECONNECT_FIRST_DELAY_MS = 250;
const RECONNECT_MAX_DELAY_MS = 5_000;

/**
 * One LISTENing connection on the event store per process, fanned out to every follower in it. When
 * the connection drops it reconnects with backoff and wakes everyone on return (notifications sent
 * meanwhile are lost); followers also poll on a fallback timer, so a lost wake-up only costs lag.
 */
export class PostgresAppendListener extends LocalWakeups {
  private client: Client | undefined;
  private closed = false;
  private reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PostgresAppendListenerOptions) {
    super();
  }

  /** Connects and LISTENs; resolves once listening (or rejects on the first failure, then keeps retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.nudge();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'projection-listener',
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (error) this.options.onError?.(error);
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === APPENDED_CHANNEL) this.announce(parseAppendNotification(message.payload));
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
      this.reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
      // Appends may have committed while no one listened.
      this.nudge();
    } catch (error) {
      lost(error as Error);
      throw error;
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => undefined);
    }, delay);
  }
}
