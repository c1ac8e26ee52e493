import fc from 'fast-check';
import { bearer, FAULT_ORGANIZATIONS, adminToken } from './http';
import { mintToken } from '@gyroscops/platform';

/** Characters a header value may hold (fetch refuses control characters): printable ASCII. */
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
export const printableString = (maxLength: number) => fc.string({ unit: printable, maxLength });

/** Values that break parsers: empty, huge, negative, exponents, wrong types as text, impossible dates. */
export const nastyValue = fc.oneof(
  printableString(40),
  fc.string({ maxLength: 40 }),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('', ' ', '-1', '0', '1e3', '1.001', '99999999999999999999999', 'NaN', 'Infinity', 'null', 'true', '[]', '{}', '2026-13-45', '2026-02-30T25:61:00Z', 'org-fault-a', 'EUR', 'JPY', 'createdAt', 'desc', 'hour', '%', '\u0000', 'é', '../../etc/passwd', "' OR 1=1 --"),
);

/** A path segment: a UUID, a known payment, or anything (URL-encoded, or raw broken escapes). */
const segment = (knownIds: string[]) =>
  fc.oneof(
    fc.uuid(),
    fc.constantFrom(...knownIds),
    nastyValue.map((value) => encodeURIComponent(value)),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2e%2e', 'a'.repeat(300), '00000000-0000-0000-0000-000000000000'),
  );

export const fuzzPath = (knownIds: string[]) =>
  fc.oneof(
    fc.constantFrom('/payments', '/events', '/statistics/payments', '/analytics/events', '/reports', '/projections', '/cache/stats', '/commands', '/', '/payments/', '//payments'),
    segment(knownIds).map((id) => `/payments/${id}`),
    segment(knownIds).map((id) => `/payments/${id}/refunds`),
    segment(knownIds).map((id) => `/payments/${id}/history`),
    segment(knownIds).map((id) => `/commands/${id}`),
    segment(knownIds).map((id) => `/timeline/${id}`),
    segment(knownIds).map((id) => `/reports/${id}`),
    segment(knownIds).map((id) => `/projections/${id}/rebuild`),
    segment(knownIds).map((id) => `/projections/${id}/resume`),
  );

const QUERY_NAMES = ['organizationId', 'status', 'currency', 'minAmount', 'maxAmount', 'createdFrom', 'createdTo', 'sort', 'order', 'limit', 'cursor', 'asOf', 'version', 'type', 'streamType', 'from', 'to', 'interval', 'unknown', 'limit[]', '__proto__'];
export const fuzzQuery = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), nastyValue), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}`));

/** Tokens: valid, for another organization, expired, signed with another secret, garbage, or none. */
const authorization = fc.oneof(
  fc.constant(adminToken()),
  fc.constant(bearer({ sub: 'stranger', orgs: ['org-elsewhere'] })),
  fc.constant(`Bearer ${mintToken('fault-tests-secret-only-for-tests-0123456789abcdef', { sub: 'late', orgs: FAULT_ORGANIZATIONS }, { ttlSeconds: -60 })}`),
  fc.constant(`Bearer ${mintToken('another-secret-another-secret-another-secret', { sub: 'forger', orgs: FAULT_ORGANIZATIONS, roles: ['admin'] })}`),
  printableString(80).map((value) => `Bearer ${value}`),
  printableString(80),
  fc.constant(''),
);

export const fuzzHeaders = fc.record(
  {
    authorization,
    'content-type': fc.oneof(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'),
      printableString(40),
    ),
    'if-match': fc.oneof(fc.constantFrom('"1"', '"2"', '"999"', '*', 'W/"2"', '""', '2'), printableString(30)),
    'if-none-match': fc.oneof(fc.constantFrom('"2"', '*'), printableString(30)),
    'idempotency-key': fc.oneof(printableString(30), fc.constant('k'.repeat(201))),
    'x-min-position': fc.oneof(fc.constantFrom('0', '1', '99999999999999999999', '-1', '1.5', ''), printableString(25)),
    'x-wait-ms': fc.oneof(fc.constantFrom('0', '1', '-1', '99999999', 'abc'), printableString(10)),
    'x-request-id': printableString(300),
    'x-correlation-id': printableString(300),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json', 'application/xml'),
    prefer: fc.constantFrom('return=minimal', 'respond-async, wait=1', 'garbage'),
  },
  { requiredKeys: [] },
);

/** Payment-shaped bodies with any field wrong (or, now and then, all right), extra fields, wrong types. */
const paymentLike = fc.record(
  {
    organizationId: fc.oneof(fc.constantFrom(...FAULT_ORGANIZATIONS, 'org-elsewhere'), nastyValue, fc.integer()),
    amount: fc.oneof(fc.constantFrom('1.00', '0', '0.00', '-1', '1e5', '1.001', '1000000000000', '12', ' 1.00'), nastyValue, fc.double()),
    currency: fc.oneof(fc.constantFrom('EUR', 'JPY', 'XXX', 'eur', 'EURO'), nastyValue),
    description: fc.oneof(fc.string({ maxLength: 600 }), fc.constant(null), fc.integer()),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), { maxKeys: 25 }), nastyValue),
    paymentId: fc.oneof(fc.uuid(), nastyValue),
    reason: fc.oneof(fc.string({ maxLength: 30 }), fc.integer()),
    unexpected: nastyValue,
  },
  { requiredKeys: [] },
);

export const fuzzBody = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  paymentLike.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"amount":', '[', 'null', '""', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"amount":"1.00","amount":"2.00"}', '\u0000', ' '.repeat(70_000)),
);

export const fuzzMethod = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS');

export const fuzzRequest = (knownIds: string[]) =>
  fc.record({ method: fuzzMethod, path: fuzzPath(knownIds), query: fuzzQuery, headers: fuzzHeaders, body: fuzzBody });
