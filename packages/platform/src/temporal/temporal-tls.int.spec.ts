/**
 * TLS, mTLS and API-key connections from the TEMPORAL_* variables, end to end: the test's Temporal
 * dev server (plaintext) sits behind a TLS-terminating proxy with certificates made here by openssl
 * (a private CA, a server certificate for `temporal.test`, a client certificate). Both kinds of
 * connection the services make, a client (`Connection`, grpc-js) and a worker's `NativeConnection`
 * (Rust core), must reach the server through it with the certificates read from files or variables,
 * and must fail, naming the connection, when the proxy refuses them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Env } from '../config/env-reader';
import { loadConfig } from '../config/platform-config';
import { connectNative } from '../worker/connect-native';
import { checkTemporal, connectTemporalClient } from './connect-temporal-client';
import { readTemporalConfig, type TemporalConfig } from './temporal-config';

/** Set by the Jest global setup (packages/dev-infra): the run's Temporal dev server. */
const DEV_SERVER = process.env.GYRO_TEST_TEMPORAL_ADDRESS;
const SERVER_NAME = 'temporal.test';

let directory: string;
const file = (name: string) => join(directory, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');

/** A CA, a server certificate for SERVER_NAME and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=gyroscops-test-ca',
  );
  for (const [name, subject, extension] of [
    ['server', SERVER_NAME, `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth`],
    ['client', 'gyroscops-test-client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${subject}`,
    );
    writeFileSync(file(`${name}.ext`), `${extension}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
}

interface Proxy {
  address: string;
  /** Common names of the client certificates the proxy accepted. */
  clients: string[];
  close(): Promise<void>;
}

/** Terminates TLS (HTTP/2 by ALPN, as gRPC needs) and pipes the bytes to the plaintext dev server. */
async function tlsProxy(options: { requireClientCertificate: boolean }): Promise<Proxy> {
  const [host, port] = DEV_SERVER!.split(':') as [string, string];
  const clients: string[] = [];
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer(
    {
      key: pem('server.key'),
      cert: pem('server.pem'),
      ca: pem('ca.pem'),
      requestCert: options.requireClientCertificate,
      rejectUnauthorized: options.requireClientCertificate,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      sockets.add(socket);
      const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
      if (subject?.CN) clients.push(subject.CN);
      const upstream = connectTcp(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        socket.destroy();
        upstream.destroy();
        sockets.delete(socket);
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const configOf = (env: Env): TemporalConfig =>
  loadConfig((reader) => readTemporalConfig(reader), { TEMPORAL_NAMESPACE: 'default', ...env });

/** Both connections the services make: a client (checked with DescribeNamespace) and a worker's. */
async function connectBoth(config: TemporalConfig, timeoutMs = 10_000): Promise<void> {
  const client = await connectTemporalClient(config, timeoutMs);
  try {
    await checkTemporal(client);
  } finally {
    await client.connection.close();
  }
  const native = await connectNative(config, timeoutMs);
  try {
    await native.workflowService.describeNamespace({ namespace: config.namespace });
  } finally {
    await native.close();
  }
}

let tlsOnly: Proxy;
let mutualTls: Proxy;
beforeAll(async () => {
  if (!DEV_SERVER) throw new Error('GYRO_TEST_TEMPORAL_ADDRESS is not set: run the tests through the root jest config');
  directory = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  makeCertificates();
  [tlsOnly, mutualTls] = await Promise.all([
    tlsProxy({ requireClientCertificate: false }),
    tlsProxy({ requireClientCertificate: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([tlsOnly?.close(), mutualTls?.close()]);
  if (directory) rmSync(directory, { recursive: true, force: true });
});

it('connects over TLS with the CA and server name given inline', async () => {
  await connectBoth(
    configOf({
      TEMPORAL_ADDRESS: tlsOnly.address,
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem('ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    }),
  );
});

it('connects over mTLS with the client certificate, key and CA read from files', async () => {
  await connectBoth(
    configOf({
      TEMPORAL_ADDRESS: mutualTls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key'),
    }),
  );
  // The client and the worker connection each presented the certificate.
  expect(mutualTls.clients.filter((name) => name === 'gyroscops-test-client').length).toBeGreaterThanOrEqual(2);
});

it('turns TLS on for an API key: the key goes to a TLS endpoint without TEMPORAL_TLS', async () => {
  await connectBoth(
    configOf({
      TEMPORAL_ADDRESS: tlsOnly.address,
      TEMPORAL_API_KEY: 'test-api-key',
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem('ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    }),
  );
});

it('fails, naming the connection but no secret, when the server wants a client certificate and gets none', async () => {
  const config = configOf({
    TEMPORAL_ADDRESS: mutualTls.address,
    TEMPORAL_API_KEY: 'test-api-key',
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem('ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
  });
  const failure = await connectTemporalClient(config, 1_000)
    .then(checkTemporal)
    .then(
      () => undefined,
      (error: Error) => error,
    );
  expect(failure?.message).toContain(`cannot reach Temporal at ${mutualTls.address} (namespace default, TLS, API key)`);
  expect(failure?.message).not.toContain('test-api-key');
  await expect(connectNative(config, 1_000)).rejects.toThrow(`cannot reach Temporal at ${mutualTls.address}`);
});

it('fails when the server certificate does not match the server name', async () => {
  const config = configOf({
    TEMPORAL_ADDRESS: tlsOnly.address,
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem('ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'someone-else.test',
  });
  await expect(connectNative(config, 1_000)).rejects.toThrow(`cannot reach Temporal at ${tlsOnly.address}`);
});
