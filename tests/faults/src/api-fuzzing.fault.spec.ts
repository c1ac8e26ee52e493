/**
 * Property-based fuzzing of both APIs (fast-check) against the real processes: random and malformed
 * JSON, headers, paths and query parameters never produce a 5xx, and a rejected request (4xx)
 * appends nothing to the event store. The only 5xx the contract allows is read-your-writes' 503
 * (an X-Min-Position the read side has not reached, with Retry-After).
 */
import fc from 'fast-check';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { createPayments } from './support/create-payments';
import { countAllEvents } from './support/event-store-facts';
import { fuzzRequest } from './support/fuzz-arbitraries';
import { request } from './support/http';
import { waitForProjectionsCaughtUp } from './support/projections-caught-up';
import { waitFor } from '@gyroscops/dev-infra';

const RUNS_PER_API = Number(process.env.FAULT_FUZZ_RUNS ?? 150);

let stack: FaultStack;
let knownIds: string[];

beforeAll(async () => {
  stack = await startFaultStack({ env: { READ_YOUR_WRITES_DEFAULT_WAIT_MS: '50', READ_YOUR_WRITES_MAX_WAIT_MS: '200', COMMAND_RESULT_TIMEOUT_MS: '20000' } });
  knownIds = (await createPayments(stack.commandUrl, 3)).map((payment) => payment.paymentId);
  await waitForProjectionsCaughtUp(stack.readDb, stack.eventStore);
});

afterAll(async () => {
  await stack?.stop();
});

const isReadYourWrites503 = (status: number, headers: Headers, sent: Record<string, string>) =>
  status === 503 && 'x-min-position' in sent && headers.get('retry-after') !== null;

describe.each([
  ['command-api', () => stack.commandUrl],
  ['query-api', () => stack.queryUrl],
])('%s', (_name, baseUrl) => {
  it(`${RUNS_PER_API} random requests: never a 5xx, and a rejected request appends nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest(knownIds), async ({ method, path, query, headers, body }) => {
        const before = await countAllEvents(stack.eventStore);
        const answer = await request(baseUrl(), method, `${path}${query}`, {
          headers,
          replaceHeaders: true,
          rawBody: method === 'GET' || method === 'HEAD' ? undefined : body,
        });
        if (answer.status >= 500 && !isReadYourWrites503(answer.status, answer.headers, headers)) {
          throw new Error(`${method} ${path}${query} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
        }
        // A command still running when its answer was due: let it finish before the next count.
        if (answer.status === 202 && typeof answer.body?.commandId === 'string') {
          await waitFor('the accepted command to finish', async () => {
            const state = await request(stack.commandUrl, 'GET', `/commands/${answer.body.commandId}`);
            return state.body?.state !== 'running';
          });
        }
        if (answer.status >= 400) {
          const after = await countAllEvents(stack.eventStore);
          if (after !== before) throw new Error(`${method} ${path}${query} was refused with ${answer.status} but appended ${after - before} event(s)`);
        }
      }),
      { numRuns: RUNS_PER_API, endOnFailure: true },
    );
  });
});
