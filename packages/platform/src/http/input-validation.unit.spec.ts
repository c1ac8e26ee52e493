/**
 * Hostile values that used to pass validation and fail later (a 500, or a command failing inside its
 * workflow): leap seconds, year 0 and days that do not exist in instants, NUL bytes and lone surrogates
 * in text. Checked here against the real route schemas, compiled the way the APIs compile them.
 */
import {
  CommandHeaders,
  CreatePaymentBody,
  EventAnalyticsQuery,
  EventSearchQuery,
  PaymentAsOfQuery,
  PaymentSearchQuery,
  PaymentStatisticsQuery,
  RefundPaymentBody,
  ReportRequestBody,
  UpdatePaymentBody,
} from '@gyroscops/contracts';
import type { TSchema } from '@sinclair/typebox';
import { createValidatorCompiler } from './validator-compiler';

const compiler = createValidatorCompiler();
const validate = (schema: TSchema, httpPart: 'body' | 'querystring' | 'headers', value: unknown) => {
  const check = compiler({ schema, httpPart, method: 'GET', url: '/' }) as (data: unknown) => boolean;
  return check(structuredClone(value));
};

const LEAP_SECOND = '2016-12-31T23:59:60Z';
const YEAR_ZERO = '0000-01-01T00:00:00Z';
const FEBRUARY_30 = '2026-02-30T00:00:00Z';
const ORGANIZATION = 'org-1';

describe('instants at the edge', () => {
  it.each([
    ['GET /payments createdFrom', PaymentSearchQuery, 'querystring', (instant: string) => ({ createdFrom: instant })],
    ['GET /payments createdTo', PaymentSearchQuery, 'querystring', (instant: string) => ({ createdTo: instant })],
    ['GET /payments/{id} asOf', PaymentAsOfQuery, 'querystring', (instant: string) => ({ asOf: instant })],
    ['GET /events from', EventSearchQuery, 'querystring', (instant: string) => ({ from: instant })],
    [
      'GET /analytics/events from',
      EventAnalyticsQuery,
      'querystring',
      (instant: string) => ({ from: instant, to: '2026-01-02T00:00:00Z' }),
    ],
    [
      'GET /statistics/payments from',
      PaymentStatisticsQuery,
      'querystring',
      (instant: string) => ({ organizationId: ORGANIZATION, from: instant }),
    ],
    [
      'POST /reports statistics from',
      ReportRequestBody,
      'body',
      (instant: string) => ({
        kind: 'payment-statistics',
        organizationId: ORGANIZATION,
        from: instant,
        to: '2026-01-02T00:00:00Z',
      }),
    ],
    [
      'POST /reports event types from',
      ReportRequestBody,
      'body',
      (instant: string) => ({ kind: 'event-types', from: instant, to: '2026-01-02T00:00:00Z' }),
    ],
    [
      'POST /reports CSV filter.createdFrom',
      ReportRequestBody,
      'body',
      (instant: string) => ({ kind: 'payment-export-csv', filter: { createdFrom: instant } }),
    ],
  ] as const)(
    '%s: a real instant passes; a leap second, year 0 and February 30 are refused',
    (_name, schema, part, withInstant) => {
      expect(validate(schema, part, withInstant('2026-01-01T00:00:00Z'))).toBe(true);
      for (const instant of [LEAP_SECOND, YEAR_ZERO, FEBRUARY_30])
        expect([instant, validate(schema, part, withInstant(instant))]).toEqual([instant, false]);
    },
  );

  it('GET /statistics/payments: a day from 1970 passes, 0000-01-01 is refused', () => {
    expect(validate(PaymentStatisticsQuery, 'querystring', { organizationId: ORGANIZATION, from: '2026-01-01' })).toBe(
      true,
    );
    expect(validate(PaymentStatisticsQuery, 'querystring', { organizationId: ORGANIZATION, from: '0000-01-01' })).toBe(
      false,
    );
    expect(validate(PaymentStatisticsQuery, 'querystring', { organizationId: ORGANIZATION, to: '2026-02-30' })).toBe(
      false,
    );
  });
});

describe('text at the edge', () => {
  const payment = { organizationId: ORGANIZATION, amount: '10.00', currency: 'EUR' };
  const hostile = ['a\u0000b', 'a\uD800b', '\uDFFF'];

  it.each([
    ['POST /payments description', CreatePaymentBody, (text: string) => ({ ...payment, description: text })],
    ['POST /payments organizationId', CreatePaymentBody, (text: string) => ({ ...payment, organizationId: text })],
    ['POST /payments metadata value', CreatePaymentBody, (text: string) => ({ ...payment, metadata: { key: text } })],
    [
      'POST /payments metadata key',
      CreatePaymentBody,
      (text: string) => ({ ...payment, metadata: { [text]: 'value' } }),
    ],
    ['PATCH /payments/{id} description', UpdatePaymentBody, (text: string) => ({ description: text })],
    ['POST /payments/{id}/refunds reason', RefundPaymentBody, (text: string) => ({ amount: '1.00', reason: text })],
    [
      'POST /reports CSV filter.organizationId',
      ReportRequestBody,
      (text: string) => ({ kind: 'payment-export-csv', filter: { organizationId: text } }),
    ],
  ] as const)('%s: text with an emoji passes; NUL and lone surrogates are refused', (_name, schema, withText) => {
    expect(validate(schema, 'body', withText('ok \u{1F600}'))).toBe(true);
    for (const text of hostile)
      expect([JSON.stringify(text), validate(schema, 'body', withText(text))]).toEqual([JSON.stringify(text), false]);
  });

  it.each([
    ['GET /payments organizationId', PaymentSearchQuery, (text: string) => ({ organizationId: text })],
    ['GET /events type', EventSearchQuery, (text: string) => ({ type: [text] })],
    ['GET /events streamType', EventSearchQuery, (text: string) => ({ streamType: text })],
    ['GET /statistics/payments organizationId', PaymentStatisticsQuery, (text: string) => ({ organizationId: text })],
  ] as const)('%s: NUL and lone surrogates are refused', (_name, schema, withText) => {
    expect(validate(schema, 'querystring', withText('fine'))).toBe(true);
    for (const text of hostile)
      expect([JSON.stringify(text), validate(schema, 'querystring', withText(text))]).toEqual([
        JSON.stringify(text),
        false,
      ]);
  });

  it('metadata keys keep their bounds (1 to 100 characters), which a Record key schema alone does not check', () => {
    expect(validate(CreatePaymentBody, 'body', { ...payment, metadata: { '': 'v' } })).toBe(false);
    expect(validate(CreatePaymentBody, 'body', { ...payment, metadata: { ['k'.repeat(101)]: 'v' } })).toBe(false);
    expect(validate(CreatePaymentBody, 'body', { ...payment, metadata: { ['k'.repeat(100)]: 'v' } })).toBe(true);
  });

  it('a cursor is base64url, and If-Match a version that fits the stream version column', () => {
    expect(validate(PaymentSearchQuery, 'querystring', { cursor: 'eyJ2IjoxfQ' })).toBe(true);
    expect(validate(PaymentSearchQuery, 'querystring', { cursor: 'eyJ2IjoxfQ==' })).toBe(false);
    expect(validate(EventSearchQuery, 'querystring', { cursor: 'not a cursor' })).toBe(false);
    expect(validate(CommandHeaders, 'headers', { 'if-match': '"3"' })).toBe(true);
    expect(validate(CommandHeaders, 'headers', { 'if-match': '"99999999999999999999"' })).toBe(false);
  });
});
