/**
 * The mapping from the standard TEMPORAL_* variables to the options every client and worker
 * connects with: plaintext for the local dev server, TLS (server name, CA), mTLS client certificates
 * from files or inline, API keys (TLS on by default), gRPC headers; and the combinations that must
 * stop a service at start-up, each naming its variables. PEM files are read through a stand-in.
 */
import { ConfigError, type Env } from '../config/env-reader';
import { loadConfig } from '../config/platform-config';
import {
  describeTemporalConnection,
  readTemporalConfig,
  temporalConnectionOptions,
  type TemporalConfig,
} from './temporal-config';

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const CA = pem('CERTIFICATE', 'Y2EtY2VydGlmaWNhdGU=');
const CLIENT_CERT = pem('CERTIFICATE', 'Y2xpZW50LWNlcnRpZmljYXRl');
const CLIENT_KEY = pem('PRIVATE KEY', 'Y2xpZW50LWtleQ==');
const FILES: Record<string, string> = {
  '/etc/temporal/ca.pem': CA,
  '/etc/temporal/client.pem': CLIENT_CERT,
  '/etc/temporal/client.key': CLIENT_KEY,
  '/etc/temporal/notes.txt': 'not a certificate',
};

function readFile(path: string): string {
  const text = FILES[path];
  if (text === undefined)
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  return text;
}

const configOf = (env: Env): TemporalConfig => loadConfig((reader) => readTemporalConfig(reader, { readFile }), env);
const optionsOf = (env: Env) => temporalConnectionOptions(configOf(env));
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

function problemsOf(env: Env): string[] {
  try {
    configOf(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('readTemporalConfig and temporalConnectionOptions', () => {
  it('given no variable, then plaintext to the local dev server in the default namespace', () => {
    expect(configOf({})).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(optionsOf({})).toEqual({ address: '127.0.0.1:7233' });
  });

  it('given TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE only, then plaintext to that cluster, as before', () => {
    const config = configOf({ TEMPORAL_ADDRESS: ' temporal.internal:7233 ', TEMPORAL_NAMESPACE: 'billing' });
    expect(config).toEqual({ address: 'temporal.internal:7233', namespace: 'billing' });
    expect(temporalConnectionOptions(config).tls).toBeUndefined();
  });

  it('given an API key alone, then TLS is on (system roots) and the key is sent', () => {
    const options = optionsOf({ TEMPORAL_ADDRESS: 'billing.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key' });
    expect(options).toEqual({ address: 'billing.a1b2c.tmprl.cloud:7233', apiKey: 'secret-key', tls: true });
  });

  it('given TEMPORAL_TLS=true alone, then TLS with the system roots and no client certificate', () => {
    const { tls } = optionsOf({ TEMPORAL_TLS: 'TRUE' });
    expect(tls).toEqual(
      expect.objectContaining({
        serverRootCACertificate: undefined,
        clientCertPair: undefined,
        serverNameOverride: undefined,
      }),
    );
  });

  it('given a CA and a server name inline, then TLS trusts that CA and checks that name', () => {
    const { tls } = optionsOf({ TEMPORAL_TLS_SERVER_CA_CERT_DATA: CA, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    if (typeof tls !== 'object' || tls === null) throw new Error('expected TLS settings');
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(text(tls.serverRootCACertificate)).toBe(CA.trim());
    expect(tls.clientCertPair).toBeUndefined();
  });

  it('given a client certificate and key from files, then mTLS with their contents', () => {
    const config = configOf({
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/temporal/client.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/temporal/client.key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/temporal/ca.pem',
    });
    const { tls } = temporalConnectionOptions(config);
    if (typeof tls !== 'object' || tls === null) throw new Error('expected TLS settings');
    expect(text(tls.clientCertPair?.crt)).toBe(CLIENT_CERT);
    expect(text(tls.clientCertPair?.key)).toBe(CLIENT_KEY);
    expect(text(tls.serverRootCACertificate)).toBe(CA);
    expect(describeTemporalConnection(config)).toBe('127.0.0.1:7233 (namespace default, mTLS)');
  });

  it('given a client certificate and key inline, then mTLS with them, and an API key beside them', () => {
    const config = configOf({
      TEMPORAL_TLS_CLIENT_CERT_DATA: CLIENT_CERT,
      TEMPORAL_TLS_CLIENT_KEY_DATA: CLIENT_KEY,
      TEMPORAL_API_KEY: 'secret-key',
    });
    const options = temporalConnectionOptions(config);
    if (typeof options.tls !== 'object' || options.tls === null) throw new Error('expected TLS settings');
    expect(text(options.tls.clientCertPair?.crt)).toBe(CLIENT_CERT.trim());
    expect(options.apiKey).toBe('secret-key');
    expect(describeTemporalConnection(config)).not.toContain('secret-key');
    expect(describeTemporalConnection(config)).toBe('127.0.0.1:7233 (namespace default, mTLS, API key)');
  });

  it('given TEMPORAL_TLS=false, then TLS is off explicitly', () => {
    expect(optionsOf({ TEMPORAL_TLS: 'false' }).tls).toBe(false);
    expect(describeTemporalConnection(configOf({ TEMPORAL_TLS: '0' }))).toBe(
      '127.0.0.1:7233 (namespace default, plaintext)',
    );
  });

  it('given TEMPORAL_GRPC_META_* variables, then their headers go with every call (blank ones left out)', () => {
    expect(optionsOf({ TEMPORAL_GRPC_META_X_TENANT: 'billing', TEMPORAL_GRPC_META_EMPTY: ' ' }).metadata).toEqual({
      'x-tenant': 'billing',
    });
  });

  it('given any configuration, then the result is frozen and still maps to options', () => {
    const config = configOf({
      TEMPORAL_TLS_CLIENT_CERT_DATA: CLIENT_CERT,
      TEMPORAL_TLS_CLIENT_KEY_DATA: CLIENT_KEY,
      TEMPORAL_GRPC_META_X_TENANT: 'billing',
    });
    expect(Object.isFrozen(config.tls)).toBe(true);
    expect(Object.isFrozen(config.grpcMeta)).toBe(true);
    expect(temporalConnectionOptions(config).metadata).toEqual({ 'x-tenant': 'billing' });
  });

  describe('bad combinations stop the start-up, naming the variables', () => {
    const cases: { given: string; env: Env; names: string[] }[] = [
      {
        given: 'a path and inline data for the same PEM',
        env: { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/temporal/ca.pem', TEMPORAL_TLS_SERVER_CA_CERT_DATA: CA },
        names: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'],
      },
      {
        given: 'a client certificate without its key',
        env: { TEMPORAL_TLS_CLIENT_CERT_DATA: CLIENT_CERT },
        names: ['TEMPORAL_TLS_CLIENT_CERT_', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
      },
      {
        given: 'a client key without its certificate',
        env: { TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/temporal/client.key' },
        names: ['TEMPORAL_TLS_CLIENT_KEY_', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
      },
      {
        given: 'TLS off with TLS settings',
        env: {
          TEMPORAL_TLS: 'false',
          TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
          TEMPORAL_TLS_SERVER_CA_CERT_DATA: CA,
        },
        names: ['TEMPORAL_TLS=false', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_SERVER_CA_CERT_'],
      },
      {
        given: 'TLS off with an API key',
        env: { TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'secret-key' },
        names: ['TEMPORAL_API_KEY', 'TEMPORAL_TLS'],
      },
      {
        given: 'an API key and an authorization header',
        env: { TEMPORAL_API_KEY: 'secret-key', TEMPORAL_GRPC_META_AUTHORIZATION: 'Bearer other' },
        names: ['TEMPORAL_API_KEY', 'TEMPORAL_GRPC_META_AUTHORIZATION'],
      },
      { given: 'a malformed boolean', env: { TEMPORAL_TLS: 'maybe' }, names: ['TEMPORAL_TLS=maybe'] },
      {
        given: 'host verification turned off (the TypeScript SDK cannot)',
        env: { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' },
        names: ['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'TEMPORAL_TLS_SERVER_NAME'],
      },
      {
        given: 'a PEM file that cannot be read',
        env: { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/temporal/missing.pem' },
        names: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH=/etc/temporal/missing.pem', 'ENOENT'],
      },
      {
        given: 'a file that holds no PEM',
        env: { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/temporal/notes.txt' },
        names: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'PEM'],
      },
      {
        given: 'inline data that is no PEM (base64 of it, say)',
        env: { TEMPORAL_TLS_CLIENT_CERT_DATA: 'LS0tLS1CRUdJTi==', TEMPORAL_TLS_CLIENT_KEY_DATA: CLIENT_KEY },
        names: ['TEMPORAL_TLS_CLIENT_CERT_DATA', 'PEM'],
      },
      {
        given: 'a Temporal CLI configuration file',
        env: { TEMPORAL_CONFIG_FILE: '/etc/temporal/temporal.toml' },
        names: ['TEMPORAL_CONFIG_FILE'],
      },
      { given: 'a Temporal CLI profile', env: { TEMPORAL_PROFILE: 'cloud' }, names: ['TEMPORAL_PROFILE'] },
      {
        given: 'an address without a port',
        env: { TEMPORAL_ADDRESS: 'temporal.internal' },
        names: ['TEMPORAL_ADDRESS'],
      },
    ];
    it.each(cases)('given $given', ({ env, names }) => {
      const problems = problemsOf(env);
      expect(problems.length).toBeGreaterThan(0);
      const message = problems.join('\n');
      for (const name of names) expect(message).toContain(name);
    });

    it('given several at once, then every problem is listed in one error', () => {
      const problems = problemsOf({
        TEMPORAL_TLS: 'maybe',
        TEMPORAL_TLS_CLIENT_CERT_DATA: CLIENT_CERT,
        TEMPORAL_PROFILE: 'cloud',
      });
      expect(problems).toHaveLength(3);
    });
  });
});
