import type { Kysely } from 'kysely';
import type { PaymentView } from '@gyroscops/domain';
import { prepareAs } from '@gyroscops/platform';
import { rowToView } from './payment-row-mapping';
import type { PaymentReadTables } from './payments.table';

/** The current view of a payment, or undefined when unknown or deleted. */
export async function findPaymentView(
  db: Kysely<PaymentReadTables>,
  paymentId: string,
): Promise<PaymentView | undefined> {
  const row = await db
    .selectFrom('payments')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .modifyEnd(prepareAs('payment_view'))
    .executeTakeFirst();
  return row ? rowToView(row) : undefined;
}
