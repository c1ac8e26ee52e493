import type { PaymentViewBody } from '@gyroscops/contracts';
import type { PaymentView } from '@gyroscops/domain';

/** A live payment as the API shows it: the domain view minus its `deleted` flag (always false there). */
export function toPaymentBody(view: PaymentView): PaymentViewBody {
  const { deleted: _deleted, ...body } = view;
  return body;
}
