/**
 * Concurrency against the real processes: 50 concurrent duplicates of one command (same
 * Idempotency-Key, same body) run it once and all get the one answer; 100 concurrent conflicting
 * updates of one payment (all with If-Match on the same version, then all without If-Match) leave a
 * history that every answer agrees with.
 */
import { randomUUID } from 'node:crypto';
import { paymentStreamId } from '@gyroscops/contracts';
import { readStream } from '@gyroscops/event-store';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { eventTypesOf, gatewayChargesOf } from './support/event-store-facts';
import { request, type CommandResult } from './support/http';

let stack: FaultStack;
/** How long one of the hundred concurrent requests may take on a loaded machine. */
const SLOW = 240_000;

beforeAll(async () => {
  // A hundred commands at once on a loaded 2-core machine can outlast the default 25 s synchronous wait:
  // wait longer, so every answer is the command's own outcome rather than a 202.
  stack = await startFaultStack({
    start: ['command-worker', 'command-api'],
    env: { PG_POOL_SIZE: '10', COMMAND_RESULT_TIMEOUT_MS: '120000' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('50 concurrent duplicates of one idempotent command: one execution, fifty identical answers', async () => {
  const idempotencyKey = randomUUID();
  const body = { organizationId: 'org-fault-a', amount: '99.99', currency: 'EUR', description: 'sent fifty times' };
  const answers = await Promise.all(
    Array.from({ length: 50 }, () =>
      request<CommandResult>(stack.commandUrl, 'POST', '/payments', {
        json: body,
        headers: { 'idempotency-key': idempotencyKey },
      }),
    ),
  );

  const first = answers[0]!;
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ status: 'processed', version: 2 });
  for (const answer of answers) {
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual(first.body);
  }
  const { paymentId } = first.body;
  expect(await eventTypesOf(stack.eventStore, paymentId)).toEqual(['PaymentInitiated', 'PaymentProcessed']);
  const charges = await gatewayChargesOf(stack.gatewayDb, paymentId);
  expect(charges).toHaveLength(1);
  // One execution: the charge activity itself ran once, not merely captured once.
  expect(charges[0]).toMatchObject({ captures: 1, attempts: 1 });
  const others = await stack.eventStore
    .selectFrom('events')
    .select(['stream_id'])
    .where('stream_type', '=', 'payment')
    .where('stream_id', '!=', paymentStreamId(paymentId))
    .execute();
  expect(others).toEqual([]);
});

describe('100 concurrent conflicting updates of one payment', () => {
  let paymentId: string;

  beforeAll(async () => {
    const created = await request<CommandResult>(stack.commandUrl, 'POST', '/payments', {
      json: { organizationId: 'org-fault-a', amount: '10.00', currency: 'EUR' },
    });
    expect(created.status).toBe(201);
    paymentId = created.body.paymentId;
  });

  it('all with If-Match on the same version: exactly one is applied, the 99 others answer 412 and change nothing', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        request<CommandResult>(stack.commandUrl, 'PATCH', `/payments/${paymentId}`, {
          json: { description: `if-match ${index}` },
          headers: { 'if-match': '"2"' },
          timeoutMs: SLOW,
        }),
      ),
    );
    const applied = answers.filter((answer) => answer.status === 200);
    expect(applied).toHaveLength(1);
    for (const answer of answers) expect([200, 412]).toContain(answer.status);
    expect(applied[0]!.body.version).toBe(3);

    const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
    expect(events).toHaveLength(3);
    const winner = answers.findIndex((answer) => answer.status === 200);
    expect(events[2]?.data).toMatchObject({ changes: { description: `if-match ${winner}` } });
  });

  it('all without If-Match: every 200 names its own version, and the stream holds exactly those updates', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        request<CommandResult>(stack.commandUrl, 'PATCH', `/payments/${paymentId}`, {
          json: { description: `free-for-all ${index}` },
          timeoutMs: SLOW,
        }),
      ),
    );
    // Each update either applied (200) or lost every retry of the version race (409): never a 5xx.
    const unexpected = answers.filter((answer) => answer.status !== 200 && answer.status !== 409);
    expect(unexpected.map((answer) => `${answer.status} ${answer.text.slice(0, 300)}`)).toEqual([]);
    const applied = answers.map((answer, index) => ({ answer, index })).filter(({ answer }) => answer.status === 200);
    expect(applied.length).toBeGreaterThan(0);

    const events = await readStream(stack.eventStore, paymentStreamId(paymentId));
    // Versions 1..3 came before this test; each applied update is one more event, each 409 none.
    const updates = events.slice(3);
    console.log(
      `concurrent PATCH without If-Match: ${applied.length} × 200, ${answers.filter((answer) => answer.status === 409).length} × 409, ${updates.length} update events`,
    );
    expect(events).toHaveLength(3 + applied.length);
    const versions = applied.map(({ answer }) => answer.body.version);
    expect(new Set(versions).size).toBe(applied.length);
    for (const { answer, index } of applied) {
      const event = events.find((candidate) => candidate.streamVersion === answer.body.version);
      expect(event?.data).toMatchObject({ changes: { description: `free-for-all ${index}` } });
    }
    const view = await request(stack.commandUrl, 'GET', `/commands/${applied.at(-1)!.answer.body.commandId}`);
    expect(view.status).toBe(200);
  });
});
