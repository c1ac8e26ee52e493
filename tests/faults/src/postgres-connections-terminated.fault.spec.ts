/**
 * Every Postgres connection of the services terminated (pg_terminate_backend, as a failover or a
 * restart of Postgres does) in the middle of reads and writes. The services must recover by
 * themselves (same processes, no restart), and no request may be answered with a wrong result:
 * every success is compared with the final state of the event store and the read models. Failed
 * requests are allowed while connections die, but a command a client repeats with its
 * Idempotency-Key must never run twice.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { startFaultStack, type FaultStack, type ServiceName } from './support/fault-stack';
import { createPayments } from './support/create-payments';
import { eventCountsPerPayment, allGatewayCharges } from './support/event-store-facts';
import { request, type CommandResult } from './support/http';
import { terminateServiceConnections, testSession } from './support/postgres-faults';
import { waitForProjectionsCaughtUp } from './support/projections-caught-up';
import { readModelDifferences } from '@gyroscops/read-models';
import { sleep } from '@gyroscops/dev-infra';

const SERVICES: ServiceName[] = ['command-api', 'command-worker', 'projection-worker', 'query-api'];
const LOAD_MS = 9_000;

let stack: FaultStack;
let session: Client;

beforeAll(async () => {
  stack = await startFaultStack();
  session = await testSession(stack.postgres.eventStoreDatabaseUrl);
});

afterAll(async () => {
  await session?.end().catch(() => undefined);
  await stack?.stop();
});

interface Observed {
  kind: 'read' | 'search' | 'create';
  status: number;
  body: any;
  paymentId: string;
  idempotencyKey?: string;
}

it('services recover from terminated connections without a restart, and every answer matches the final state', async () => {
  const seeded = await createPayments(stack.commandUrl, 8);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
  const observed: Observed[] = [];
  const stopAt = Date.now() + LOAD_MS;

  const reader = async () => {
    for (let index = 0; Date.now() < stopAt; index += 1) {
      const payment = seeded[index % seeded.length]!;
      const answer = await request(stack.queryUrl, 'GET', `/payments/${payment.paymentId}`).catch(() => undefined);
      observed.push({ kind: 'read', status: answer?.status ?? 0, body: answer?.body, paymentId: payment.paymentId });
      const search = await request(stack.queryUrl, 'GET', `/payments?organizationId=org-fault-b&limit=200`).catch(
        () => undefined,
      );
      observed.push({ kind: 'search', status: search?.status ?? 0, body: search?.body, paymentId: '' });
    }
  };
  const writer = async () => {
    while (Date.now() < stopAt) {
      const paymentId = randomUUID();
      const idempotencyKey = randomUUID();
      // A client repeats a failed command with the same key until it gets an answer (at most a few times).
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const answer = await request<CommandResult>(stack.commandUrl, 'POST', '/payments', {
          json: { organizationId: 'org-fault-b', amount: '3.30', currency: 'EUR', paymentId },
          headers: { 'idempotency-key': idempotencyKey },
        }).catch(() => undefined);
        observed.push({ kind: 'create', status: answer?.status ?? 0, body: answer?.body, paymentId, idempotencyKey });
        if (answer && answer.status < 500) break;
        await sleep(200);
      }
    }
  };
  const killer = async () => {
    const terminated: number[] = [];
    for (const delay of [2_500, 3_000]) {
      await sleep(delay);
      terminated.push(await terminateServiceConnections(session, stack.databaseNames));
    }
    return terminated;
  };
  const [terminated] = await Promise.all([killer(), reader(), reader(), writer(), writer()]);
  expect(terminated.every((count) => count > 0)).toBe(true);

  // Recovered without a restart: the same processes answer correctly now.
  const alive = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      stack.service(name).running ? 'running' : `DIED:\n${stack.service(name).output().slice(-25).join('\n')}`,
    ]),
  );
  expect(alive).toEqual(Object.fromEntries(SERVICES.map((name) => [name, 'running'])));
  for (const name of SERVICES) expect(stack.service(name).starts).toBe(1);
  const after = await request<CommandResult>(stack.commandUrl, 'POST', '/payments', {
    json: { organizationId: 'org-fault-b', amount: '4.40', currency: 'EUR' },
  });
  expect(after.status).toBe(201);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
  const afterRead = await request(stack.queryUrl, 'GET', `/payments/${after.body.paymentId}`);
  expect(afterRead.status).toBe(200);

  // Final state: the event store, and read models equal to a rebuild from it.
  expect(await readModelDifferences(stack.eventStore, stack.readDb)).toEqual([]);
  const streams = await eventCountsPerPayment(stack.eventStore);
  const charges = new Map((await allGatewayCharges(stack.gatewayDb)).map((charge) => [charge.payment_id, charge]));

  const failures = observed.filter((one) => one.status === 0 || one.status >= 500);
  // A request whose connection died under it is a 503 (retry), never a 500 and never a dropped socket.
  expect(failures.filter((one) => one.status !== 503).map((one) => `${one.kind}: ${one.status}`)).toEqual([]);
  const unexpected: string[] = [];
  for (const one of observed) {
    if (one.status === 0 || one.status >= 500) continue;
    if (one.kind === 'read') {
      const seed = seeded.find((payment) => payment.paymentId === one.paymentId)!;
      if (one.status !== 200 || one.body.status !== seed.status || one.body.version !== seed.version)
        unexpected.push(`GET ${one.paymentId}: ${one.status} ${JSON.stringify(one.body)}`);
    } else if (one.kind === 'search') {
      // A search sees some prefix of the writes (a payment projected between its two events is still pending).
      if (one.status !== 200) unexpected.push(`search: ${one.status} ${JSON.stringify(one.body)}`);
      else
        for (const item of one.body.items as { paymentId: string; status: string }[]) {
          if (!streams.has(`payment-${item.paymentId}`) || !['pending', 'processed'].includes(item.status))
            unexpected.push(`search listed ${item.paymentId} as ${item.status}`);
        }
    } else {
      const events = streams.get(`payment-${one.paymentId}`);
      if (
        one.status !== 201 ||
        one.body.paymentId !== one.paymentId ||
        one.body.version !== 2 ||
        one.body.status !== 'processed' ||
        events?.join() !== 'PaymentInitiated,PaymentProcessed'
      ) {
        unexpected.push(`POST ${one.paymentId}: ${one.status} ${JSON.stringify(one.body)}; events ${events}`);
      }
    }
  }
  expect(unexpected).toEqual([]);
  // No command ran twice: every payment stream has its two events, and money moved once per payment.
  for (const [streamId, events] of streams)
    expect([streamId, events]).toEqual([streamId, ['PaymentInitiated', 'PaymentProcessed']]);
  for (const charge of charges.values()) expect(charge.captures).toBe(1);
  console.log(
    `postgres terminate: ${observed.length} requests, ${failures.length} failed while connections died (statuses ${JSON.stringify(countBy(failures.map((one) => `${one.kind}:${one.status}`)))}), terminated ${terminated.join(' + ')} backends`,
  );
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
