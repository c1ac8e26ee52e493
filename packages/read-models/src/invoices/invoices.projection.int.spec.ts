/**
 * Proves the invoices read model equals a replay of each invoice stream: events are decided by the
 * domain's own deciders (organization billing closes a cycle, the invoice stream issues it and records
 * its payments), stored with `appendToStream` and applied through the real runner (`applyNextBatch`).
 * Every row must equal `toInvoiceView(foldInvoice(events))`, `invoicesDifferences` (the check every
 * fault and end-to-end test runs) must find nothing, a checkpoint rewound over events the rows already
 * hold must change nothing, and a rebuild in shadow tables must give the very same rows.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createTestEnvironment, type TestEnvironment } from '@gyroscops/dev-infra';
import { toInvoiceView } from '@gyroscops/domain';
import { eventStoreMigrations, type EventStoreDb, type EventStoreTables } from '@gyroscops/event-store';
import {
  applyNextBatch,
  ensureCheckpoint,
  prepareRebuild,
  projectionMigrations,
  swapRebuild,
  type ProjectionTables,
} from '@gyroscops/projections';
import { createDatabase, runMigrations, withTablesOf } from '@gyroscops/platform';
import { readModelMigrations } from '../migrations';
import { invoicesDifferences } from './invoices.reference';
import { INVOICES_PROJECTION, invoicesProjection } from './invoices.projection';
import { countInvoices, findInvoiceView, findOutstandingByCurrency, searchInvoices } from './invoices.queries';
import type { InvoiceReadTables } from './invoices.table';
import { InvoiceStream, OrganizationBillingStream } from './test-support/billing-streams';

let env: TestEnvironment;
let eventStore: EventStoreDb;
let readDb: Kysely<InvoiceReadTables>;
let runnerDb: Kysely<ProjectionTables>;

beforeAll(async () => {
  env = await createTestEnvironment();
  eventStore = createDatabase<EventStoreTables>({ url: env.eventStoreDatabaseUrl });
  readDb = createDatabase<InvoiceReadTables>({ url: env.readDatabaseUrl });
  runnerDb = withTablesOf<ProjectionTables>(readDb);
  await runMigrations(eventStore, eventStoreMigrations);
  await runMigrations(readDb, projectionMigrations);
  await runMigrations(readDb, readModelMigrations);
  await ensureCheckpoint(runnerDb, INVOICES_PROJECTION, invoicesProjection.version);
});

afterAll(async () => {
  await Promise.all([eventStore?.destroy(), readDb?.destroy()]);
  await env?.dispose();
});

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const T0 = Date.UTC(2026, 2, 1, 8);

/** Applies batches until the projection has every event up to `position`. */
async function project(position: bigint, batchSize = 50): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await applyNextBatch(runnerDb, eventStore, invoicesProjection, batchSize)).position < position) {
    if (Date.now() > deadline) throw new Error(`the projection never reached ${position}`);
  }
}

const rewindCheckpoint = () =>
  sql`UPDATE projection_checkpoints SET position = 0 WHERE projection = ${INVOICES_PROJECTION}`.execute(readDb);
const allRows = () => readDb.selectFrom('invoices').selectAll().orderBy('invoice_id').execute();

/**
 * An organization on an hourly EUR plan (5.00 base fee, CPU seconds at 0.000012), with `cycles`
 * closed cycles, each with `cpuSeconds` of usage; answers the streams of the invoices issued.
 */
async function organizationWithInvoices(
  cycles: number,
  cpuSeconds = '1000000',
  organizationId = randomUUID(),
): Promise<{ billing: OrganizationBillingStream; invoices: InvoiceStream[] }> {
  const billing = new OrganizationBillingStream(eventStore, organizationId);
  await billing.run(
    {
      type: 'SetBillingPlan',
      data: {
        organizationId,
        plan: {
          currency: 'EUR',
          cycle: 'PT1H',
          baseFee: '5.00',
          meters: { cpu_seconds: { unitPrice: '0.000012', aggregation: 'sum' } },
          dunning: ['PT1H', 'PT2H'],
        },
      },
    },
    at(T0),
  );
  const invoices: InvoiceStream[] = [];
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const start = T0 + cycle * HOUR;
    await billing.run(
      {
        type: 'RecordUsage',
        data: {
          organizationId,
          records: [
            {
              recordId: randomUUID(),
              organizationId,
              meter: 'cpu_seconds',
              quantity: cpuSeconds,
              occurredAt: at(start + 60_000),
            },
          ],
        },
      },
      at(start + 120_000),
    );
    const closed = await billing.close(at(start + HOUR));
    invoices.push(await InvoiceStream.issue(eventStore, closed, at(start + HOUR + 1_000)));
  }
  return { billing, invoices };
}

async function expectRowToEqualFold(stream: InvoiceStream): Promise<void> {
  expect(await findInvoiceView(readDb, stream.invoiceId)).toEqual(toInvoiceView(stream.state));
  expect(
    await readDb
      .selectFrom('invoices')
      .select(['stream_version', 'last_position'])
      .where('invoice_id', '=', stream.invoiceId)
      .executeTakeFirst(),
  ).toEqual({ stream_version: stream.events.length, last_position: stream.lastPosition.toString() });
}

describe('invoicesProjection', () => {
  it('keeps the row equal to the fold through issue, a declined attempt, payment and a refund', async () => {
    const { invoices } = await organizationWithInvoices(1);
    const invoice = invoices[0]!;
    await project(invoice.lastPosition);
    await expectRowToEqualFold(invoice);
    // 1,000,000 CPU seconds at 0.000012 = 12.00, plus the 5.00 base fee.
    expect(await findInvoiceView(readDb, invoice.invoiceId)).toMatchObject({
      status: 'open',
      total: '17.00',
      amountPaid: '0.00',
      lines: [
        { kind: 'base_fee', meter: null, amount: '5.00', late: false },
        {
          kind: 'usage',
          meter: 'cpu_seconds',
          quantity: '1000000',
          unitPrice: '0.000012',
          amount: '12.00',
          late: false,
        },
      ],
      version: 1,
    });

    const declinedAt = T0 + 2 * HOUR;
    const declined = await invoice.attempt('declined', at(declinedAt));
    await project(invoice.lastPosition);
    await expectRowToEqualFold(invoice);
    expect(await findInvoiceView(readDb, invoice.invoiceId)).toMatchObject({
      status: 'past_due',
      attempts: 1,
      paymentIds: [declined],
      nextAttemptAt: at(declinedAt + HOUR),
    });

    const paid = await invoice.attempt('approved', at(declinedAt + HOUR));
    await invoice.run(
      {
        type: 'RecordInvoiceRefund',
        data: { invoiceId: invoice.invoiceId, paymentId: paid, refundId: randomUUID(), amount: '2.50' },
      },
      at(declinedAt + 2 * HOUR),
    );
    await project(invoice.lastPosition);
    await expectRowToEqualFold(invoice);
    expect(await findInvoiceView(readDb, invoice.invoiceId)).toMatchObject({
      status: 'paid',
      amountPaid: '17.00',
      amountRefunded: '2.50',
      attempts: 2,
      paymentIds: [declined, paid],
      nextAttemptAt: null,
      paidAt: at(declinedAt + HOUR),
      version: 6,
    });
    expect(await invoicesDifferences(eventStore, readDb)).toEqual([]);
  });

  it('given a checkpoint rewound over events the rows already hold, then no row changes and only newer events apply', async () => {
    const { invoices } = await organizationWithInvoices(2);
    const [first, second] = invoices as [InvoiceStream, InvoiceStream];
    await first.attempt('declined', at(T0 + 3 * HOUR));
    await project(first.lastPosition);
    const before = await allRows();

    // Every event of this file comes again, in batches of 2: only the stream-version guard stands in
    // the way. Were a replayed InvoicePaymentStarted folded twice, paymentIds would list the payment twice.
    await rewindCheckpoint();
    await project(first.lastPosition, 2);
    expect(await allRows()).toEqual(before);

    await second.attempt('approved', at(T0 + 3 * HOUR));
    await rewindCheckpoint();
    await project(second.lastPosition, 3);
    await expectRowToEqualFold(first);
    await expectRowToEqualFold(second);
    expect(await findInvoiceView(readDb, second.invoiceId)).toMatchObject({ status: 'paid', version: 3 });
    expect(await invoicesDifferences(eventStore, readDb)).toEqual([]);
  });

  it('a rebuild in shadow tables gives the same rows as the live projection', async () => {
    const { invoices } = await organizationWithInvoices(3);
    await invoices[0]!.attempt('approved', at(T0 + 4 * HOUR));
    await invoices[1]!.run(
      { type: 'VoidInvoice', data: { invoiceId: invoices[1]!.invoiceId, reason: 'goodwill' } },
      at(T0 + 4 * HOUR),
    );
    // The void is the last event appended.
    await project(invoices[1]!.lastPosition);
    const live = await allRows();
    expect(live.find((row) => row.invoice_id === invoices[1]!.invoiceId)).toMatchObject({ status: 'void' });

    await prepareRebuild(runnerDb, eventStore, invoicesProjection);
    const progress = await swapRebuild(runnerDb, eventStore, invoicesProjection, 7);

    expect(progress.caughtUp).toBe(true);
    expect(await allRows()).toEqual(live);
    expect(await invoicesDifferences(eventStore, readDb)).toEqual([]);
  });
});

describe('invoice search', () => {
  it('walks an organization’s invoices newest period first, each exactly once, with filters and the total', async () => {
    const organizationId = randomUUID();
    const { invoices } = await organizationWithInvoices(5, '500000', organizationId);
    await invoices[1]!.attempt('approved', at(T0 + 6 * HOUR));
    await invoices[3]!.attempt('declined', at(T0 + 6 * HOUR));
    await project(invoices[3]!.lastPosition);

    const walked: string[] = [];
    let after: readonly [string, string] | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await searchInvoices(readDb, { organizationId }, { limit: 2, after });
      walked.push(...result.items.map((item) => item.invoiceId));
      if (result.nextKey === null) break;
      after = result.nextKey;
    }
    expect(walked).toEqual(invoices.map((invoice) => invoice.invoiceId).reverse());
    expect(await countInvoices(readDb, { organizationId })).toBe(5);

    const owing = { organizationId, statuses: ['open' as const, 'past_due' as const] };
    expect((await searchInvoices(readDb, owing, { limit: 10 })).items.map((item) => item.status).sort()).toEqual([
      'open',
      'open',
      'open',
      'past_due',
    ]);
    const window = { organizationId, periodFrom: at(T0 + HOUR), periodTo: at(T0 + 3 * HOUR) };
    expect((await searchInvoices(readDb, window, { limit: 10 })).items.map((item) => item.invoiceId)).toEqual([
      invoices[2]!.invoiceId,
      invoices[1]!.invoiceId,
    ]);
    expect(await countInvoices(readDb, { organizationIds: [] })).toBe(0);

    // 500,000 CPU seconds = 6.00, plus 5.00: four invoices still owe 11.00 each.
    expect(await findOutstandingByCurrency(readDb, organizationId)).toEqual({ EUR: 4_400n });
  });
});
