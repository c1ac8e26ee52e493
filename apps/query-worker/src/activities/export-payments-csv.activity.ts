import { heartbeat } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { CSV_EXPORT_MAX_BYTES, CSV_EXPORT_MAX_ROWS, type PaymentSearchCriteria } from '@gyroscops/contracts';
import { searchPayments, type PaymentReadTables, type PaymentSearchKey } from '@gyroscops/read-models';
import { CSV_LINE_END, paymentCsvHeader, paymentCsvLine } from './payments-csv';

/** Rows read per page: big enough to cost few round trips, small enough to heartbeat often. */
const PAGE_SIZE = 500;

export interface PaymentCsvExport {
  csv: string;
  rowCount: number;
  truncated: boolean;
}

/**
 * The CSV export of a payment search: walks the search page by page (the same keyset walk as
 * `GET /payments`, so every match once, in the search's order) and stops at CSV_EXPORT_MAX_ROWS rows
 * or CSV_EXPORT_MAX_BYTES bytes, whichever comes first, with `truncated` set. Heartbeats after each
 * page; a retry starts over (the CSV is built in memory and returned as the activity's result).
 */
export function createExportPaymentsCsv(
  readDb: Kysely<PaymentReadTables>,
  limits = { maxRows: CSV_EXPORT_MAX_ROWS, maxBytes: CSV_EXPORT_MAX_BYTES },
) {
  return async function exportPaymentsCsv(criteria: PaymentSearchCriteria): Promise<PaymentCsvExport> {
    const header = paymentCsvHeader();
    const lines = [header];
    let bytes = Buffer.byteLength(header + CSV_LINE_END);
    let rowCount = 0;
    let truncated = false;
    let after: PaymentSearchKey | undefined;
    for (;;) {
      const page = await searchPayments(readDb, criteria, { limit: PAGE_SIZE, after });
      for (const view of page.items) {
        const line = paymentCsvLine(view);
        const lineBytes = Buffer.byteLength(line + CSV_LINE_END);
        if (rowCount >= limits.maxRows || bytes + lineBytes > limits.maxBytes) {
          truncated = true;
          break;
        }
        lines.push(line);
        bytes += lineBytes;
        rowCount += 1;
      }
      if (truncated || page.nextKey === null) break;
      after = page.nextKey;
      heartbeat({ rowCount });
    }
    return { csv: lines.join(CSV_LINE_END) + CSV_LINE_END, rowCount, truncated };
  };
}
