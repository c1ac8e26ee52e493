import { connect } from 'node:net';

/** One HTTP/1.1 exchange as the fuzzer sends it: bytes as they are, nothing a client library would refuse or fix. */
export interface RawRequest {
  method: string;
  /** The request target as written on the request line (already percent-encoded, or deliberately not). */
  target: string;
  /** Header lines; values are written as UTF-8 bytes, control characters included (never CR or LF). */
  headers: [string, string][];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** The parsed JSON body, when it is JSON. */
  json?: unknown;
  durationMs: number;
}

/** Splits a chunked body (RFC 9112 §7.1) into its bytes. */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseResponse(raw: Buffer, durationMs: number): RawResponse | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status, headers, body, text, json, durationMs };
}

/**
 * Sends one request on a fresh connection (`Connection: close`) and reads the answer until the
 * server closes it. A server that answers early (a 413 before the body is read) and resets the
 * connection still yields its answer; no answer at all is an error.
 */
export function sendRaw(host: string, port: number, request: RawRequest, timeoutMs = 60_000): Promise<RawResponse> {
  const head =
    `${request.method} ${request.target} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n` +
    request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    (request.body !== undefined ? `Content-Length: ${request.body.length}\r\n` : '') +
    '\r\n';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, host);
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const response = parseResponse(Buffer.concat(chunks), performance.now() - started);
      if (response) resolve(response);
      else
        reject(
          new Error(
            `${request.method} ${request.target.slice(0, 200)}: no HTTP answer${error ? ` (${error.message})` : ''}`,
          ),
        );
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => {
      socket.write(Buffer.from(head, 'utf8'));
      if (request.body !== undefined) socket.write(request.body);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish());
  });
}
