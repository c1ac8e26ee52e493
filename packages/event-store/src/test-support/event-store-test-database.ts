import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { createDatabase, runMigrations } from '@gyroscops/platform';
import { eventStoreMigrations } from '../migrations';
import type { NewEvent } from '../recorded-event';
import type { EventStoreDb, EventStoreTables } from '../tables';

export interface EventStoreTestDatabase {
  env: TestEnvironment;
  db: EventStoreDb;
  /** Another pool on the same database (a second service instance, a dedicated reader...). */
  connect(maxConnections: number): EventStoreDb;
  dispose(): Promise<void>;
}

/** A fresh, migrated event store database for one test file. */
export async function createEventStoreTestDatabase(maxConnections = 10): Promise<EventStoreTestDatabase> {
  const env = await createTestEnvironment();
  const opened: EventStoreDb[] = [];
  const connect = (max: number) => {
    const db = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl, maxConnections: max });
    opened.push(db);
    return db;
  };
  const db = connect(maxConnections);
  await runMigrations(db, eventStoreMigrations);
  return {
    env,
    db,
    connect,
    async dispose() {
      await Promise.all(opened.map((each) => each.destroy()));
      await env.dispose();
    },
  };
}

/** An event with a fresh id; `overrides` wins. */
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return { eventId: randomUUID(), type: 'TestHappened', data: {}, metadata: {}, ...overrides };
}

/** A stream id no other test uses. */
export const uniqueStreamId = (prefix = 'test') => `${prefix}-${randomUUID()}`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise the test opens by hand, to hold a transaction open at a chosen point. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
