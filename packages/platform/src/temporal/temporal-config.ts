import { readFileSync } from 'node:fs';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConfigTLS,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { EnvReader } from '../config/env-reader';

/**
 * Where and how every client and worker reaches Temporal. Plaintext to 127.0.0.1:7233 by default
 * (the local dev server); TLS, a client certificate (mTLS) and an API key for a production cluster
 * or Temporal Cloud. PEM files are read at start-up, so the value holds text only.
 */
export interface TemporalConfig {
  address: string;
  namespace: string;
  /** Absent: plaintext, or TLS with the system's roots when an API key is set. */
  tls?: ClientConfigTLS;
  apiKey?: string;
  /** gRPC headers sent with every call (`TEMPORAL_GRPC_META_*`). */
  grpcMeta?: Record<string, string>;
}

/** The standard variables (as the Temporal CLI and SDKs read them) these services honour. */
const VARIABLES = {
  apiKey: 'TEMPORAL_API_KEY',
  tls: 'TEMPORAL_TLS',
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
  disableHostVerification: 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  grpcMetaPrefix: 'TEMPORAL_GRPC_META_',
} as const;

/** The PEM inputs: each from a file (`…_PATH`) or inline (`…_DATA`), never both. */
const PEM_SOURCES = {
  serverCACert: 'TEMPORAL_TLS_SERVER_CA_CERT',
  clientCert: 'TEMPORAL_TLS_CLIENT_CERT',
  clientKey: 'TEMPORAL_TLS_CLIENT_KEY',
} as const;
type PemSource = keyof typeof PEM_SOURCES;

/** Variables of the Temporal CLI's configuration files: these services read the environment only. */
const FILE_PROFILE_VARIABLES = ['TEMPORAL_CONFIG_FILE', 'TEMPORAL_PROFILE'];

export interface TemporalConfigOptions {
  /** Reads a PEM file named by a `…_PATH` variable (tests replace it). */
  readFile?: (path: string) => string;
}

/**
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE` and the standard connection variables (`TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS*`, `TEMPORAL_GRPC_META_*`), mapped as `@temporalio/envconfig` maps them: an API key
 * or any TLS setting turns TLS on unless `TEMPORAL_TLS=false`. Combinations the SDK would silently
 * misread (a certificate without its key, a path and inline data for the same PEM, TLS settings or an
 * API key with TLS off) fail start-up with the variables' names, as do unreadable or non-PEM files.
 */
export function readTemporalConfig(reader: EnvReader, options: TemporalConfigOptions = {}): TemporalConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const address = reader.hostPort('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  const namespace = reader.string('TEMPORAL_NAMESPACE', 'default');
  for (const name of FILE_PROFILE_VARIABLES) {
    if (reader.optionalString(name) !== undefined)
      reader.problem(
        `${name} is not read: configure the Temporal connection with the TEMPORAL_* variables (TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TEMPORAL_TLS_*)`,
      );
  }

  // What envconfig reads, trimmed like every other variable; booleans passed in the one form it parses.
  const env: Record<string, string> = { ...reader.prefixed(VARIABLES.grpcMetaPrefix) };
  const apiKey = reader.optionalString(VARIABLES.apiKey);
  if (apiKey !== undefined) env[VARIABLES.apiKey] = apiKey;
  const tlsEnabled = optionalBoolean(reader, VARIABLES.tls);
  if (tlsEnabled !== undefined) env[VARIABLES.tls] = tlsEnabled ? 'true' : 'false';
  const serverName = reader.optionalString(VARIABLES.serverName);
  if (serverName !== undefined) env[VARIABLES.serverName] = serverName;
  if (optionalBoolean(reader, VARIABLES.disableHostVerification)) {
    reader.problem(
      `${VARIABLES.disableHostVerification} is not supported by the TypeScript SDK: give the certificate's name in ${VARIABLES.serverName} instead`,
    );
  }
  const pem: Partial<Record<PemSource, string>> = {};
  for (const source of Object.keys(PEM_SOURCES) as PemSource[]) {
    const text = readPem(reader, PEM_SOURCES[source], readFile);
    if (text !== undefined) pem[source] = text;
  }

  const tlsSettings = [
    ...(serverName === undefined ? [] : [VARIABLES.serverName]),
    ...(Object.keys(pem) as PemSource[]).map((source) => `${PEM_SOURCES[source]}_*`),
  ];
  if (tlsEnabled === false && tlsSettings.length > 0)
    reader.problem(`${VARIABLES.tls}=false contradicts ${tlsSettings.join(', ')}: unset them or turn TLS on`);
  if (tlsEnabled === false && apiKey !== undefined)
    reader.problem(`${VARIABLES.apiKey} is never sent in the clear: unset ${VARIABLES.tls} or set it to true`);
  if ((pem.clientCert === undefined) !== (pem.clientKey === undefined)) {
    const [given, missing] =
      pem.clientCert === undefined
        ? [PEM_SOURCES.clientKey, PEM_SOURCES.clientCert]
        : [PEM_SOURCES.clientCert, PEM_SOURCES.clientKey];
    reader.problem(`${given}_* needs ${missing}_PATH or ${missing}_DATA: a client certificate (mTLS) takes both`);
  }

  const profile: ClientConfigProfile = loadClientConfigProfile({ disableFile: true, overrideEnvVars: env });
  // The SDK refuses an API key beside an explicit authorization header; say which variables clash.
  if (apiKey !== undefined && profile.grpcMeta?.authorization !== undefined) {
    reader.problem(
      `${VARIABLES.apiKey} and ${VARIABLES.grpcMetaPrefix}AUTHORIZATION both set the authorization header: keep one`,
    );
  }
  const tls: ClientConfigTLS | undefined =
    profile.tls || Object.keys(pem).length > 0 ? { ...profile.tls, ...inline(pem) } : undefined;
  return {
    address,
    namespace,
    ...(tls ? { tls } : {}),
    ...(profile.apiKey !== undefined ? { apiKey: profile.apiKey } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? { grpcMeta: profile.grpcMeta } : {}),
  };
}

/**
 * The options of a `Connection` (client) or `NativeConnection` (worker) for a configuration, by
 * envconfig's own mapping (`toClientOptions`).
 */
export function temporalConnectionOptions(config: TemporalConfig): NativeConnectionOptions & { address: string } {
  const { connectionOptions } = toClientOptions({
    address: config.address,
    namespace: config.namespace,
    tls: config.tls,
    apiKey: config.apiKey,
    grpcMeta: config.grpcMeta,
  });
  return { ...dropUndefined(connectionOptions), address: config.address };
}

/** How a start-up log line may describe the connection: never the key or the certificates themselves. */
export function describeTemporalConnection(config: TemporalConfig): string {
  const options = temporalConnectionOptions(config);
  const tls =
    options.tls === undefined || options.tls === false
      ? 'plaintext'
      : options.tls === true || !options.tls?.clientCertPair
        ? 'TLS'
        : 'mTLS';
  return `${config.address} (namespace ${config.namespace}, ${tls}${config.apiKey ? ', API key' : ''})`;
}

/** A boolean variable that may be unset; a malformed value is a problem (and reads as unset). */
function optionalBoolean(reader: EnvReader, name: string): boolean | undefined {
  const value = reader.optionalString(name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  reader.problem(`${name}=${value} must be true or false`);
  return undefined;
}

/** One PEM input from its `_PATH` or `_DATA` variable, checked to hold a PEM block. */
function readPem(reader: EnvReader, prefix: string, readFile: (path: string) => string): string | undefined {
  const path = reader.optionalString(`${prefix}_PATH`);
  const data = reader.optionalString(`${prefix}_DATA`);
  if (path !== undefined && data !== undefined) {
    reader.problem(`${prefix}_PATH and ${prefix}_DATA are both set: give the PEM one way`);
    return undefined;
  }
  let text = data;
  let name = `${prefix}_DATA`;
  if (path !== undefined) {
    name = `${prefix}_PATH`;
    try {
      text = readFile(path);
    } catch (error) {
      reader.problem(
        `${name}=${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      return undefined;
    }
  }
  if (text !== undefined && !text.includes('-----BEGIN ')) {
    reader.problem(`${name} must hold PEM text (-----BEGIN …-----)${path === undefined ? '' : `; ${path} does not`}`);
    return undefined;
  }
  return text;
}

function inline(pem: Partial<Record<PemSource, string>>): Partial<Record<PemSource, ConfigDataSource>> {
  const sources: Partial<Record<PemSource, ConfigDataSource>> = {};
  for (const [source, text] of Object.entries(pem) as [PemSource, string][]) sources[source] = { data: text };
  return sources;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
