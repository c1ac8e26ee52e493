import { DomainError } from '../errors';
import { addToAggregate, aggregatedQuantity, parseUsageBatch, parseUsageRecord } from './usage';
import { ORG_ID, record } from './test-support/fixtures';
import { paths } from './test-support/given';

const UNIT = 1_000_000_000_000n;

describe('usage records', () => {
  it('are parsed exactly: scaled quantity, instant in ms, optional fields defaulted', () => {
    expect(
      parseUsageRecord(
        {
          recordId: 'r-1',
          organizationId: ORG_ID,
          meter: 'cpu',
          quantity: '2.5',
          occurredAt: '2025-03-01T11:00:00+01:00',
        },
        '/records/0',
      ),
    ).toEqual({
      recordId: 'r-1',
      organizationId: ORG_ID,
      meter: 'cpu',
      quantity: 2n * UNIT + UNIT / 2n,
      occurredAtMs: Date.parse('2025-03-01T10:00:00Z'),
      resourceId: null,
      properties: {},
    });
  });

  it('are checked field by field, each error at its path', () => {
    const errors = parseUsageRecord(
      {
        recordId: '',
        organizationId: 7,
        meter: 'cpu seconds',
        quantity: '-1',
        occurredAt: '2025-02-30T00:00:00Z',
        resourceId: '',
        properties: { k: 1 },
      },
      '/records/4',
    );
    expect(Array.isArray(errors) && errors.map((e) => e.path)).toEqual([
      '/records/4/recordId',
      '/records/4/organizationId',
      '/records/4/meter',
      '/records/4/quantity',
      '/records/4/occurredAt',
      '/records/4/resourceId',
      '/records/4/properties/k',
    ]);
    expect(parseUsageRecord('nope', '/records/0')).toEqual([
      { path: '/records/0', message: 'must be a usage record object' },
    ]);
    expect(parseUsageRecord(record({ recordId: 'x'.repeat(201) }), '/records/0')).toEqual([
      { path: '/records/0/recordId', message: 'must be at most 200 characters' },
    ]);
    expect(parseUsageRecord(record({ occurredAt: '2025-03-01T10:00:00' }), '/records/0')).toEqual([
      { path: '/records/0/occurredAt', message: expect.stringMatching(/time zone/) },
    ]);
  });

  it('come in batches of 1 to 1,000, validated whole: every bad record is named by its index', () => {
    const batch = [record(), record({ quantity: 'lots' }), record(), record({ meter: '' })];
    const result = parseUsageBatch(batch);
    if (!(result instanceof DomainError)) throw new Error('expected a validation error');
    expect(paths(result)).toEqual(['/records/1/quantity', '/records/3/meter']);
    for (const bad of [[], Array.from({ length: 1001 }, () => record()), 'x', undefined]) {
      expect(parseUsageBatch(bad)).toMatchObject({ code: 'VALIDATION', errors: [{ path: '/records' }] });
    }
    expect(parseUsageBatch(Array.from({ length: 1000 }, () => record()))).toHaveLength(1000);
  });
});

describe('usage aggregates', () => {
  it('keep count, sum and max, so any aggregation can be billed', () => {
    const aggregate = [3n, 7n, 0n, 5n]
      .map((q) => q * UNIT)
      .reduce(addToAggregate, undefined as ReturnType<typeof addToAggregate> | undefined);
    expect(aggregate).toEqual({ count: 4, sum: 15n * UNIT, max: 7n * UNIT });
    if (aggregate === undefined) throw new Error('unreachable');
    expect(aggregatedQuantity(aggregate, 'sum')).toBe(15n * UNIT);
    expect(aggregatedQuantity(aggregate, 'count')).toBe(4n * UNIT);
    expect(aggregatedQuantity(aggregate, 'max')).toBe(7n * UNIT);
  });
});
