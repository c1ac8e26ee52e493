import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { answerClientError } from './edge-problems';

/** What answerClientError writes on a socket, through a stand-in that records it. */
function answerTo(error: Error & { code?: string }): { status: number; body: Record<string, unknown> } {
  let written = '';
  const socket = { destroyed: false, writable: true, end: (data: string) => (written = data) } as unknown as Socket;
  const app = { log: { debug: () => undefined } } as unknown as FastifyInstance;
  answerClientError.call(app, error, socket);
  const [head = '', body = ''] = written.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as Record<string, unknown> };
}

describe('answers of the HTTP parser errors', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['HPE_INVALID_METHOD', 400, 'VALIDATION'],
  ])('%s: %i problem+json with the code %s', (parserCode, status, code) => {
    const answer = answerTo(Object.assign(new Error('parse error'), { code: parserCode }));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({
      status,
      code,
      type: `https://docs.gyroscops.com/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    });
  });
});
