import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isScalar, isSeq, parseDocument, Scalar, visit } from 'yaml';
import { interpolate, type ComposeVariables } from './compose-interpolation';
import { readRepositoryFile, REPOSITORY_ROOT } from './repository';

/** A service of the Compose model, in the long forms `docker compose config` prints. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: string; host_ip?: string }[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  init?: boolean;
  restart?: string;
  /** `source:target[:mode]` or the long form; a source that is not a path names a top-level volume. */
  volumes?: (string | { type?: string; source?: string })[];
}

export interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/**
 * DCLint (the Docker Compose linter): the YAML, then the Compose specification's JSON schema (which
 * DCLint always checks, with YAML merge keys resolved), then the rules below. The ordering rules are
 * off: the file orders services by start order and keys by meaning, and says why in its comments.
 */
const LINT_CONFIG = {
  rules: {
    'no-build-and-image': 0, // `image` names what `build` produces (gyroscops/<app>:local), as Compose documents
    'no-duplicate-container-names': 2,
    'no-duplicate-exported-ports': 2,
    'no-quotes-in-volumes': 2,
    'no-unbound-port-interfaces': 2,
    'no-version-field': 2,
    'require-project-name-field': 2,
    // Quoted, but in either quote style (the formatter picks one): see unquotedPorts.
    'require-quotes-in-ports': 0,
    'service-container-name-regex': 2,
    'service-image-require-explicit-tag': 2,
    'service-dependencies-alphabetical-order': 0,
    'service-keys-order': 0,
    'service-ports-alphabetical-order': 0,
    'services-alphabetical-order': 0,
    'top-level-properties-order': 0,
  },
  quiet: true,
  debug: false,
  exclude: [],
} as const;

export interface ComposeLintMessage {
  rule: string;
  line: number;
  message: string;
}

/** What DCLint reports on a Compose file: schema errors (rule `invalid-schema`) and rule violations. */
export async function lintComposeFile(path: string): Promise<ComposeLintMessage[]> {
  // DCLint is an ES module with a CommonJS build: imported, not required, for its types.
  const { DCLinter } = await import('dclint');
  const linter = new DCLinter({ ...LINT_CONFIG, rules: { ...LINT_CONFIG.rules }, exclude: [] });
  // Its declarations import their siblings without extensions, which ESM resolution leaves untyped: typed here.
  const results: { messages: ComposeLintMessage[] }[] = linter.lintFiles([path], false);
  return results.flatMap((result) => result.messages.map(({ rule, line, message }) => ({ rule, line, message })));
}

/**
 * `ports` and `expose` entries written as plain YAML scalars: a YAML 1.1 parser reads an unquoted
 * 22:22 as the base-60 number 1342. DCLint's rule for it insists on one quote style; this accepts
 * either, so the file can follow the repository's formatter.
 */
export function unquotedPorts(path: string): string[] {
  const unquoted: string[] = [];
  visit(parseDocument(readFileSync(path, 'utf8')), {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !['ports', 'expose'].includes(String(pair.key.value)) || !isSeq(pair.value)) return;
      for (const item of pair.value.items) {
        if (isScalar(item) && item.type !== Scalar.QUOTE_DOUBLE && item.type !== Scalar.QUOTE_SINGLE)
          unquoted.push(String(item.value));
      }
    },
  });
  return unquoted;
}

const mapValues = <T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

/** Every string of a parsed document interpolated, keys excepted (Compose interpolates values only). */
function interpolateValues(node: unknown, variables: ComposeVariables): unknown {
  if (typeof node === 'string') return interpolate(node, variables);
  if (Array.isArray(node)) return node.map((item) => interpolateValues(item, variables));
  if (node && typeof node === 'object')
    return mapValues(node as Record<string, unknown>, (value) => interpolateValues(value, variables));
  return node;
}

/** `[[host_ip:]published:]target[/protocol]`, the short syntax of a published port. */
function portOf(port: unknown): { target: number; published?: string; host_ip?: string } {
  if (typeof port !== 'string' && typeof port !== 'number') return port as { target: number };
  const parts = String(port)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  const target = Number(parts.at(-1));
  if (!Number.isInteger(target)) throw new Error(`invalid port ${JSON.stringify(port)}`);
  return {
    target,
    ...(parts.length > 1 ? { published: parts.at(-2) } : {}),
    ...(parts.length > 2 ? { host_ip: parts.slice(0, -2).join(':') } : {}),
  };
}

/** The short forms of the keys the deployment checks read, in their long forms. */
function normalizeService(raw: Record<string, unknown>): ComposeService {
  const service = { ...raw } as Record<string, unknown>;
  if (typeof raw.build === 'string') service.build = { context: resolve(REPOSITORY_ROOT, raw.build) };
  else if (raw.build)
    service.build = {
      ...(raw.build as object),
      context: resolve(REPOSITORY_ROOT, (raw.build as { context?: string }).context ?? '.'),
    };
  if (Array.isArray(raw.environment)) {
    service.environment = Object.fromEntries(
      (raw.environment as string[]).map((entry) => {
        const equals = entry.indexOf('=');
        return equals < 0 ? [entry, null] : [entry.slice(0, equals), entry.slice(equals + 1)];
      }),
    );
  } else if (raw.environment) {
    service.environment = mapValues(raw.environment as Record<string, unknown>, (value) =>
      value === null || value === undefined ? null : String(value),
    );
  }
  if (Array.isArray(raw.ports)) service.ports = raw.ports.map(portOf);
  if (Array.isArray(raw.depends_on))
    service.depends_on = Object.fromEntries(
      (raw.depends_on as string[]).map((name) => [name, { condition: 'service_started' }]),
    );
  return service as ComposeService;
}

/**
 * docker-compose.yml as Compose loads it for `docker compose config`, for the keys these checks
 * read: YAML merge keys (`<<`) resolved, every value interpolated with `variables` (the shell's, as
 * a bare environment: nothing of the machine running the tests), build contexts made absolute,
 * short forms of `environment`, `ports` and `depends_on` in their long forms.
 */
export function loadComposeProject(variables: ComposeVariables = {}, file = 'docker-compose.yml'): ComposeProject {
  const document = parseDocument(readRepositoryFile(file), { merge: true });
  if (document.errors.length > 0) throw document.errors[0]!;
  const interpolated = interpolateValues(document.toJS(), variables) as {
    services?: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
  return { services: mapValues(interpolated.services ?? {}, normalizeService), volumes: interpolated.volumes ?? {} };
}
