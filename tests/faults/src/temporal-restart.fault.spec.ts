/**
 * The Temporal dev server killed (SIGKILL) and started again on its SQLite file while a burst of
 * commands is in flight. A client does what the contract tells it to: it sends each command with an
 * Idempotency-Key and repeats it, same key, until it gets an answer that is not a 5xx. Every accepted
 * command must complete, and none may run twice: exactly one PaymentInitiated and one
 * PaymentProcessed per payment, and one capture per payment in the gateway's ledger.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { allGatewayCharges, eventCountsPerPayment } from './support/event-store-facts';
import { request, type CommandResult } from './support/http';
import { sleep, waitFor } from '@gyroscops/dev-infra';

const COMMANDS = 40;
const CONCURRENCY = 6;

let stack: FaultStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gyro-fault-temporal-'));
  stack = await startFaultStack({
    temporalDbFile: join(dataDir, 'temporal.db'),
    env: { COMMAND_RESULT_TIMEOUT_MS: '15000' },
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Sent {
  paymentId: string;
  idempotencyKey: string;
  /** Statuses of every try, network failures as 0. */
  statuses: number[];
  accepted?: { status: number; commandId: string };
}

/** Sends one command until it is answered with something other than a 5xx or a network failure. */
async function sendUntilAnswered(sent: Sent, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const answer = await request<CommandResult & { commandId: string }>(stack.commandUrl, 'POST', '/payments', {
      json: { organizationId: 'org-fault-a', amount: '25.00', currency: 'EUR', paymentId: sent.paymentId },
      headers: { 'idempotency-key': sent.idempotencyKey },
      timeoutMs: 30_000,
    }).catch(() => undefined);
    sent.statuses.push(answer?.status ?? 0);
    if (answer && answer.status < 500) {
      sent.accepted = { status: answer.status, commandId: answer.body.commandId };
      return;
    }
    await sleep(300);
  }
}

it('every command accepted around a Temporal restart completes exactly once', async () => {
  const sent: Sent[] = Array.from({ length: COMMANDS }, () => ({
    paymentId: randomUUID(),
    idempotencyKey: randomUUID(),
    statuses: [],
  }));
  const deadline = Date.now() + 180_000;
  let next = 0;
  const client = async () => {
    while (next < sent.length) await sendUntilAnswered(sent[next++]!, deadline);
  };
  const burst = Promise.all(Array.from({ length: CONCURRENCY }, client));

  // Let the burst get going, then take Temporal down hard for a moment.
  await waitFor(
    'a third of the burst to be answered',
    async () => sent.filter((one) => one.accepted).length >= COMMANDS / 3,
    { intervalMs: 20 },
  );
  await stack.restartTemporal('SIGKILL', () => sleep(2_000));
  await burst;

  const accepted = sent.filter((one) => one.accepted);
  expect(accepted).toHaveLength(COMMANDS);
  for (const one of accepted) expect([201, 202]).toContain(one.accepted!.status);

  // Commands answered 202 (still running when the answer was due) must still complete.
  for (const one of accepted) {
    const final = await waitFor(
      `command ${one.accepted!.commandId} to complete`,
      async () => {
        const answer = await request<{ state: string; result?: CommandResult }>(
          stack.commandUrl,
          'GET',
          `/commands/${one.accepted!.commandId}`,
        );
        return answer.status === 200 && answer.body.state !== 'running' ? answer.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(final).toMatchObject({
      state: 'completed',
      result: { paymentId: one.paymentId, status: 'processed', version: 2 },
    });
  }

  const streams = await eventCountsPerPayment(stack.eventStore);
  expect(streams.size).toBe(COMMANDS);
  for (const one of sent)
    expect(streams.get(`payment-${one.paymentId}`)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  const charges = await allGatewayCharges(stack.gatewayDb);
  expect(charges).toHaveLength(COMMANDS);
  for (const charge of charges) expect(charge).toMatchObject({ captures: 1, outcome: 'approved' });

  // What the client saw while Temporal was down (kept in the output for the report).
  const retried = sent.filter((one) => one.statuses.length > 1);
  console.log(
    `temporal restart: ${retried.length} of ${COMMANDS} commands needed a retry; statuses seen: ${JSON.stringify(countStatuses(sent))}`,
  );
});

function countStatuses(sent: Sent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const one of sent) for (const status of one.statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
