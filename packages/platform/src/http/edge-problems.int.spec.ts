/**
 * Errors answered before any route runs are problem+json like the rest, over a real socket: a path
 * parameter too long for the router (414) or with a broken percent-escape (400), headers larger than
 * Node's parser takes (431), a request that is not HTTP (400), and a request arriving on a kept-alive
 * connection while the server closes (503). Each used to be Fastify's or Node's plain JSON.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { Registry } from 'prom-client';
import { createHttpApp, type HttpApp } from './create-http-app';
import { mintToken } from './development-token';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const TOKEN = mintToken(SECRET, { sub: 'user-1', orgs: ['org-a'] });

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A connection: write to it at will; `answers` resolves with every answer once the server closes it. */
function openConnection(port: number): { write(raw: string): void; answers: Promise<RawAnswer[]> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  const answers = new Promise<RawAnswer[]>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve(parseAnswers(Buffer.concat(chunks).toString('utf8'))));
  });
  return { write: (raw) => socket.write(raw), answers };
}

/** Writes `raw` on a new connection and reads every answer until the server closes it. */
function rawExchange(port: number, raw: string): Promise<RawAnswer[]> {
  const connection = openConnection(port);
  connection.write(raw);
  return connection.answers;
}

function parseAnswers(text: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const [statusLine = '', ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    answers.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: Buffer.from(rest.slice(bodyStart), 'utf8').subarray(0, length).toString('utf8'),
    });
    rest = Buffer.from(rest.slice(bodyStart), 'utf8').subarray(length).toString('utf8');
  }
  return answers;
}

/** A problem+json answer with the code that says what went wrong (not VALIDATION for every refusal). */
function expectProblem(answer: RawAnswer | undefined, status: number, code: string): void {
  expect(answer?.status).toBe(status);
  expect(answer?.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer?.headers['x-content-type-options']).toBe('nosniff');
  expect(JSON.parse(answer?.body ?? '')).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
  });
}

describe('errors answered before any route runs', () => {
  let app: HttpApp;
  let port: number;
  let releaseSlow: () => void = () => undefined;
  let slowStarted: Promise<void>;
  let slowArrived: () => void = () => undefined;
  let closingStarted: Promise<void>;

  beforeAll(async () => {
    app = await createHttpApp({
      service: 'test',
      title: 'test',
      description: 'test',
      log: { level: 'silent', pretty: false },
      metrics: new Registry(),
      readiness: {},
      tags: [],
      auth: { kind: 'secret', secret: SECRET },
    });
    app.get('/things/:thingId', { schema: { params: Type.Object({ thingId: Type.String() }) } }, async (request) => ({
      thingId: request.params.thingId,
    }));
    slowStarted = new Promise((resolve) => (slowArrived = resolve));
    app.get('/slow', async () => {
      slowArrived();
      await new Promise<void>((resolve) => (releaseSlow = resolve));
      return { done: true };
    });
    closingStarted = new Promise((resolve) =>
      app.addHook('preClose', (done) => {
        resolve();
        done();
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    releaseSlow();
    await app.close();
  });

  const get = (path: string, headers = '') =>
    rawExchange(
      port,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n${headers}Connection: close\r\n\r\n`,
    );

  it('a route still answers as usual', async () => {
    const [answer] = await get('/things/t-1');
    expect(answer?.status).toBe(200);
    expect(JSON.parse(answer?.body ?? '')).toEqual({ thingId: 't-1' });
  });

  it('a path parameter over 100 characters: 414 problem+json with the request id', async () => {
    const [answer] = await get(`/things/${'a'.repeat(201)}`);
    expectProblem(answer, 414, 'URI_TOO_LONG');
    expect(answer?.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('a broken percent-escape in the path: 400 problem+json', async () => {
    expectProblem((await get('/things/%E0%A4%A'))[0], 400, 'VALIDATION');
  });

  it('headers larger than the parser takes: 431 problem+json', async () => {
    expectProblem((await get('/things/t-1', `X-Padding: ${'p'.repeat(20_000)}\r\n`))[0], 431, 'HEADERS_TOO_LARGE');
  });

  it('a request that is not HTTP: 400 problem+json', async () => {
    expectProblem((await rawExchange(port, 'HELLO THERE\r\n\r\n'))[0], 400, 'VALIDATION');
    expectProblem((await get('/things/t-1', 'X-Bad: a\u0001b\r\n'))[0], 400, 'VALIDATION');
  });

  it('a request arriving on a kept-alive connection while the server closes: 503 problem+json with Retry-After', async () => {
    // The first request holds the connection open (not idle) while the server starts closing; the
    // second arrives on it after that.
    let requestsRead = 0;
    const secondRequestRead = new Promise<void>((resolve) =>
      app.server.on('request', () => (++requestsRead === 2 ? resolve() : undefined)),
    );
    const connection = openConnection(port);
    connection.write(`GET /slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await slowStarted;
    const closed = app.close();
    await closingStarted;
    connection.write(`GET /things/t-2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    // Let the server read the second request before the first one ends.
    await secondRequestRead;
    releaseSlow();
    const [first, second] = await connection.answers;
    await closed;
    expect(first?.status).toBe(200);
    expectProblem(second, 503, 'UNAVAILABLE');
    expect(second?.headers['retry-after']).toBe('1');
  });
});
