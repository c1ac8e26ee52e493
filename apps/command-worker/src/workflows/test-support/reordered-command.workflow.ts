import { proxyActivities } from '@temporalio/workflow';
import type { PaymentCommandRequest } from '@gyroscops/contracts/workflows';
import type { CommandActivities } from '../../activities/create-command-activities';

const { loadPaymentStream } = proxyActivities<CommandActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * A deliberately incompatible version of the command workflow (it reads the stream before creating):
 * the replay test proves that it would catch such a change.
 */
export async function paymentCommandWorkflow(request: PaymentCommandRequest): Promise<void> {
  const paymentId = request.kind === 'create' ? request.payment.paymentId : request.paymentId;
  await loadPaymentStream({ paymentId });
}
