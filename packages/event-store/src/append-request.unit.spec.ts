import { InvalidAppendError } from './errors';
import {
  MAX_EVENTS_PER_TRANSACTION,
  assertValidAppendRequest,
  metadataString,
  normalizeEventId,
} from './append-request';
import type { AppendRequest, NewEvent } from './recorded-event';

const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: '0b7e7f5e-8a51-4c2a-9a4e-3c1f0e0d6a11',
  type: 'PaymentCaptured',
  data: {},
  metadata: {},
  ...overrides,
});
const request = (overrides: Partial<AppendRequest> = {}): AppendRequest => ({
  streamId: 'payment-1',
  streamType: 'payment',
  expectedVersion: 'no_stream',
  events: [event()],
  ...overrides,
});
const rejection = (value: AppendRequest): string => {
  try {
    assertValidAppendRequest(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAppendError);
    return (error as Error).message;
  }
  throw new Error('expected the request to be rejected');
};

describe('assertValidAppendRequest', () => {
  it('accepts a well-formed request with every kind of expected version', () => {
    for (const expectedVersion of ['no_stream', 'any', 1, 42] as const) {
      expect(() => assertValidAppendRequest(request({ expectedVersion }))).not.toThrow();
    }
  });

  it('rejects expected version 0, negative or fractional, pointing at no_stream', () => {
    expect(rejection(request({ expectedVersion: 0 }))).toMatch(/expectedVersion.*no_stream/);
    expect(rejection(request({ expectedVersion: -1 }))).toMatch(/expectedVersion/);
    expect(rejection(request({ expectedVersion: 1.5 }))).toMatch(/expectedVersion/);
  });

  it('rejects an empty append, empty ids and types', () => {
    expect(rejection(request({ events: [] }))).toMatch(/events must not be empty/);
    expect(rejection(request({ streamId: '' }))).toMatch(/streamId/);
    expect(rejection(request({ streamType: '' }))).toMatch(/streamType/);
    expect(rejection(request({ events: [event({ type: '' })] }))).toMatch(/events\[0\]\.type/);
  });

  it('rejects event ids that are not UUIDs or repeat, whatever their case', () => {
    expect(rejection(request({ events: [event({ eventId: 'cmd-1:0' })] }))).toMatch(
      /events\[0\]\.eventId must be a UUID/,
    );
    const id = '0b7e7f5e-8a51-4c2a-9a4e-3c1f0e0d6a11';
    expect(rejection(request({ events: [event({ eventId: id }), event({ eventId: id.toUpperCase() })] }))).toMatch(
      /events\[1\]\.eventId .* appears twice/,
    );
  });

  it('rejects data or metadata that are not objects, and a bad schema version', () => {
    expect(rejection(request({ events: [event({ data: [] as unknown as Record<string, unknown> })] }))).toMatch(/data/);
    expect(rejection(request({ events: [event({ metadata: null as unknown as Record<string, unknown> })] }))).toMatch(
      /metadata/,
    );
    expect(rejection(request({ events: [event({ schemaVersion: 0 })] }))).toMatch(/schemaVersion/);
  });

  it('rejects more events than a transaction block holds', () => {
    const tooMany = new Array<NewEvent>(MAX_EVENTS_PER_TRANSACTION + 1).fill(event());
    expect(rejection(request({ events: tooMany }))).toMatch(/at most 999999 events/);
  });
});

describe('metadataString', () => {
  it('takes non-empty strings only', () => {
    expect(metadataString({ correlationId: 'c-1' }, 'correlationId')).toBe('c-1');
    expect(metadataString({ correlationId: 42 }, 'correlationId')).toBeNull();
    expect(metadataString({ correlationId: '' }, 'correlationId')).toBeNull();
    expect(metadataString({}, 'organizationId')).toBeNull();
  });
});

describe('normalizeEventId', () => {
  it('spells uuids the way Postgres prints them', () => {
    expect(normalizeEventId('0B7E7F5E-8A51-4C2A-9A4E-3C1F0E0D6A11')).toBe('0b7e7f5e-8a51-4c2a-9a4e-3c1f0e0d6a11');
  });
});

describe('assertValidAppendRequest on stream ids ending in a UUID', () => {
  const uuid = '0b7e7f5e-8a51-4c2a-9a4e-3c1f0e0d6a11';

  it('accepts the canonical spelling, and ids that do not end in a UUID', () => {
    expect(() => assertValidAppendRequest(request({ streamId: `payment-${uuid}` }))).not.toThrow();
    expect(() => assertValidAppendRequest(request({ streamId: 'payment-1' }))).not.toThrow();
  });

  it('refuses an upper-case or mixed-case UUID, naming the canonical id', () => {
    expect(rejection(request({ streamId: `payment-${uuid.toUpperCase()}` }))).toMatch(
      new RegExp(`streamId must spell its UUID in canonical form.*'payment-${uuid}'`),
    );
    expect(rejection(request({ streamId: `payment-0B7e7f5e-8a51-4c2a-9a4e-3c1f0e0d6a11` }))).toMatch(/canonical form/);
    expect(rejection(request({ streamId: `report-${uuid.toUpperCase()}`, streamType: 'report' }))).toMatch(
      /canonical form/,
    );
  });

  it('refuses a urn:uuid: prefix', () => {
    expect(rejection(request({ streamId: `payment-urn:uuid:${uuid}` }))).toMatch(/canonical form/);
  });
});
