import { sql, type Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';
import type { PaymentReadTables } from '@gyroscops/read-models';
import { createExportPaymentsCsv } from './export-payments-csv.activity';
import { createPaymentStatistics } from './payment-statistics.activity';

export interface QueryActivityDependencies {
  eventStore: EventStoreDb;
  /** The read database: reports over read models (statistics, CSV exports of a search). */
  readDb: Kysely<PaymentReadTables>;
}

export interface EventTypeCount {
  type: string;
  count: number;
}

/** Activities of the query workflows: heavy, read-only work against the stores. */
export function createQueryActivities(deps: QueryActivityDependencies) {
  return {
    /** Events per type recorded in [from, to): a full range scan, hence a workflow and not a request. */
    async countEventsByType(input: { from: string; to: string }): Promise<EventTypeCount[]> {
      const rows = await deps.eventStore
        .selectFrom('events')
        .select(['type', sql<string>`count(*)`.as('count')])
        .where('recorded_at', '>=', new Date(input.from))
        .where('recorded_at', '<', new Date(input.to))
        .groupBy('type')
        .orderBy('type')
        .execute();
      return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
    },
    paymentStatistics: createPaymentStatistics(deps.readDb),
    exportPaymentsCsv: createExportPaymentsCsv(deps.readDb),
  };
}

export type QueryActivities = ReturnType<typeof createQueryActivities>;
