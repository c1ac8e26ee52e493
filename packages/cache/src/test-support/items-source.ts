import { sql, type Kysely } from 'kysely';

interface ItemsTables {
  cache_test_items: { id: string; value: string };
}

/**
 * A real Postgres table as the cache's source, counting its reads. `gate`, when set, is awaited
 * after the row was read and before the value is returned: a test holds a read there to make it slow.
 */
export class ItemsSource {
  reads = 0;
  /** Reads that have read their row and wait at the gate: a test waits for this before acting. */
  heldReads = 0;
  gate: Promise<void> | undefined;

  constructor(private readonly db: Kysely<ItemsTables>) {}

  static async create(db: Kysely<any>): Promise<ItemsSource> {
    await sql`CREATE TABLE IF NOT EXISTS cache_test_items (id text PRIMARY KEY, value text NOT NULL)`.execute(db);
    return new ItemsSource(db as Kysely<ItemsTables>);
  }

  async put(id: string, value: string): Promise<void> {
    await this.db
      .insertInto('cache_test_items')
      .values({ id, value })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ value }))
      .execute();
  }

  async read(id: string): Promise<{ id: string; value: string } | null> {
    this.reads += 1;
    const row = await this.db.selectFrom('cache_test_items').selectAll().where('id', '=', id).executeTakeFirst();
    if (this.gate) {
      this.heldReads += 1;
      await this.gate;
    }
    return row ?? null;
  }
}

/** A promise the test resolves when it wants: `release()` lets held reads go on. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}
