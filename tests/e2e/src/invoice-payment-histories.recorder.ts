/**
 * Records the invoice payment process's histories (and the payment method command's) that the
 * command worker's replay test checks its code against
 * (apps/command-worker/src/workflows/histories/invoice-payment-*.json, account-*.json): paid at the
 * first attempt; declined through every dunning wait to uncollectible; paid after it ended (a run
 * started by the pay's update-with-start); voided while dunning. Run it alone with
 * `npx jest --selectProjects services --testMatch '**\/invoice-payment-histories.recorder.ts' tests/e2e`
 * when the workflow gains a code path; never to make a failing replay pass (docs/workflow-versioning.md).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  INVOICE_PAYMENT_WORKFLOW,
  INVOICE_STREAM_TYPE,
  invoicePaymentWorkflowId,
  invoiceStreamId,
  organizationAccountCommandWorkflowId,
  TASK_QUEUES,
} from '@gyroscops/contracts';
import { ensureTemporalCli, waitFor } from '@gyroscops/dev-infra';
import { decideInvoice, foldInvoice, isDomainError } from '@gyroscops/domain';
import { appendToStream } from '@gyroscops/event-store';
import { startWorkflow } from '@gyroscops/platform';
import { answer, apiClients, grantOrganizations } from './support/http-client';
import { startTestStack, type TestStack } from './support/test-stack';

// A billed organization's id is a lower-case UUID.
const ORG = grantOrganizations(randomUUID());
const HISTORIES = join(resolve(__dirname, '../../..'), 'apps/command-worker/src/workflows/histories');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ withoutProjectionWorker: true });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function issueInvoice(dunning: string[]): Promise<string> {
  const invoiceId = randomUUID();
  const decision = decideInvoice(
    foldInvoice([]),
    {
      type: 'IssueInvoice',
      data: {
        invoiceId,
        organizationId: ORG,
        number: '2026-000001',
        cycleSequence: 1,
        currency: 'EUR',
        periodStart: '2026-11-01T00:00:00.000Z',
        periodEnd: '2026-12-01T00:00:00.000Z',
        lines: [{ kind: 'base_fee', meter: null, quantity: '1', unitPrice: '12.50', amount: '12.50', late: false }],
        total: '12.50',
        dunning,
      },
    },
    new Date().toISOString(),
  );
  if (isDomainError(decision)) throw decision;
  await appendToStream(stack.eventStore, {
    streamId: invoiceStreamId(invoiceId),
    streamType: INVOICE_STREAM_TYPE,
    expectedVersion: 'no_stream',
    events: decision.map((event) => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { organizationId: ORG },
      schemaVersion: 1,
    })),
  });
  await startWorkflow(stack.temporal, INVOICE_PAYMENT_WORKFLOW, {
    taskQueue: TASK_QUEUES.commands,
    workflowId: invoicePaymentWorkflowId(invoiceId),
    args: [{ invoiceId, organizationId: ORG }],
  });
  return invoiceId;
}

/** Waits for the latest run of a workflow to close and writes its history as the Temporal CLI shows it. */
async function saveClosed(name: string, workflowId: string): Promise<void> {
  await waitFor(
    `${workflowId} to close`,
    async () => (await stack.temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING',
  );
  const cli = await ensureTemporalCli();
  const json = execFileSync(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      '--address',
      stack.env.temporalAddress,
      '--namespace',
      stack.env.namespace,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(HISTORIES, `${name}.json`), `${JSON.stringify(JSON.parse(json.toString()), null, 1)}\n`);
}

it('records the invoice payment histories: paid, uncollectible, paid after it ended, voided', async () => {
  const { command } = apiClients(stack);
  const setMethod = async (metadata: Record<string, string>) => {
    const set = await answer(
      command.PUT('/organizations/{organizationId}/payment-method', {
        params: { path: { organizationId: ORG } },
        body: { metadata },
      }),
    );
    expect(set.status).toBe(200);
    return set.body.commandId as string;
  };
  const approving = await setMethod({ card: 'visa-4242' });
  await saveClosed('account-payment-method-set', organizationAccountCommandWorkflowId(approving));

  const paid = await issueInvoice(['PT1S']);
  await saveClosed('invoice-payment-paid', invoicePaymentWorkflowId(paid));

  await setMethod({ simulate: 'decline' });
  const dunned = await issueInvoice(['PT1S', 'PT1S']);
  await saveClosed('invoice-payment-uncollectible', invoicePaymentWorkflowId(dunned));

  const voided = await issueInvoice(['P1D']);
  await waitFor('the first decline of the invoice to void', async () => {
    const { status } = await stack.temporal.workflow.getHandle(invoicePaymentWorkflowId(voided)).describe();
    return (
      status.name === 'RUNNING' &&
      (
        await stack.temporal.workflow
          .getHandle(invoicePaymentWorkflowId(voided))
          .query<{ status: string }>('invoicePaymentStatus')
      ).status === 'past_due'
    );
  });
  const voidAnswer = await answer(
    command.POST('/invoices/{invoiceId}/void', {
      params: { path: { invoiceId: voided } },
      body: { reason: 'billed by mistake' },
    }),
  );
  expect(voidAnswer.status).toBe(200);
  await saveClosed('invoice-payment-voided', invoicePaymentWorkflowId(voided));

  await setMethod({ card: 'visa-4242' });
  const payAnswer = await answer(
    command.POST('/invoices/{invoiceId}/pay', { params: { path: { invoiceId: dunned } } }),
  );
  expect(payAnswer.status).toBe(201);
  expect(payAnswer.body).toMatchObject({ status: 'processed' });
  await saveClosed('invoice-payment-paid-after-uncollectible', invoicePaymentWorkflowId(dunned));
}, 180_000);
