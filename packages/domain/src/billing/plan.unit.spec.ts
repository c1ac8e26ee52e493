import { DomainError } from '../errors';
import { DEFAULT_DUNNING_WAITS, meterPrice, samePlan, validatePlan, type BillingPlan } from './plan';
import { planInput } from './test-support/fixtures';
import { paths } from './test-support/given';

const valid = (input: unknown): BillingPlan => {
  const plan = validatePlan(input);
  if (plan instanceof DomainError) throw new Error(plan.message);
  return plan;
};

describe('billing plans', () => {
  it('are stored canonically: unit prices with the currency decimals, default dunning, meters by name', () => {
    expect(
      valid(
        planInput({
          cycle: 'P01M',
          meters: { z: { unitPrice: '2', aggregation: 'sum' }, a: { unitPrice: '0.000012', aggregation: 'max' } },
        }),
      ),
    ).toEqual({
      currency: 'EUR',
      cycle: 'P1M',
      baseFee: '10.00',
      meters: { a: { unitPrice: '0.000012', aggregation: 'max' }, z: { unitPrice: '2.00', aggregation: 'sum' } },
      dunning: [...DEFAULT_DUNNING_WAITS],
    });
    expect(
      Object.keys(
        valid(
          planInput({
            meters: { z: { unitPrice: '1', aggregation: 'sum' }, a: { unitPrice: '1', aggregation: 'sum' } },
          }),
        ).meters,
      ),
    ).toEqual(['a', 'z']);
  });

  it('take no base fee, free meters, no meters at all, and an empty dunning list (no retry)', () => {
    const plan = valid(
      planInput({ baseFee: null, meters: { free: { unitPrice: '0', aggregation: 'count' } }, dunning: [] }),
    );
    expect(plan).toMatchObject({
      baseFee: null,
      meters: { free: { unitPrice: '0.00', aggregation: 'count' } },
      dunning: [],
    });
    expect(valid(planInput({ meters: {} })).meters).toEqual({});
  });

  it.each([
    [{ currency: 'eur' }, ['/currency']],
    [{ cycle: 'P2Y' }, ['/cycle']],
    [{ cycle: 'PT0S' }, ['/cycle']],
    [{ cycle: 'monthly' }, ['/cycle']],
    [{ baseFee: '0' }, ['/baseFee']],
    [{ baseFee: '1.001' }, ['/baseFee']],
    [{ meters: { cpu: { unitPrice: '0.0000000000001', aggregation: 'sum' } } }, ['/meters/cpu/unitPrice']],
    [{ meters: { cpu: { unitPrice: '-1', aggregation: 'sum' } } }, ['/meters/cpu/unitPrice']],
    [{ meters: { cpu: { unitPrice: '1000000000000', aggregation: 'sum' } } }, ['/meters/cpu/unitPrice']],
    [{ meters: { cpu: { unitPrice: '1', aggregation: 'avg' } } }, ['/meters/cpu/aggregation']],
    [{ meters: { '1cpu': { unitPrice: '1', aggregation: 'sum' } } }, ['/meters/1cpu']],
    [{ meters: { 'a/b': { unitPrice: '1', aggregation: 'sum' } } }, ['/meters/a~1b']],
    [{ meters: { cpu: 5 } }, ['/meters/cpu']],
    [{ meters: [] }, ['/meters']],
    [{ dunning: ['P1D', 'P2Y', 'nope'] }, ['/dunning/1', '/dunning/2']],
    [{ dunning: 'P1D' }, ['/dunning']],
    [{ dunning: Array.from({ length: 11 }, () => 'P1D') }, ['/dunning']],
    [
      {
        meters: Object.fromEntries(
          Array.from({ length: 101 }, (_, i) => [`m${i}`, { unitPrice: '1', aggregation: 'sum' }]),
        ),
      },
      ['/meters'],
    ],
  ])('refuses %j at %j', (over, expected) => {
    const result = validatePlan({ ...planInput(), ...(over as object) });
    if (!(result instanceof DomainError)) throw new Error('expected a validation error');
    expect(result.code).toBe('VALIDATION');
    expect(paths(result)).toEqual(expected);
  });

  it('refuses what is not a plan object', () => {
    expect(validatePlan(null)).toMatchObject({ code: 'VALIDATION', errors: [{ path: '' }] });
  });

  it('compare by what they bill, not by how they were spelled', () => {
    const a = valid(
      planInput({
        cycle: 'P1M',
        meters: { x: { unitPrice: '2', aggregation: 'sum' }, y: { unitPrice: '1', aggregation: 'max' } },
      }),
    );
    const b = valid(
      planInput({
        cycle: 'P01M',
        meters: { y: { unitPrice: '1.00', aggregation: 'max' }, x: { unitPrice: '2.0', aggregation: 'sum' } },
      }),
    );
    expect(samePlan(a, b)).toBe(true);
    expect(
      samePlan(
        a,
        valid(
          planInput({
            meters: {
              x: { unitPrice: '2', aggregation: 'count' as const },
              y: { unitPrice: '1', aggregation: 'max' as const },
            },
          }),
        ),
      ),
    ).toBe(false);
    expect(samePlan(a, { ...a, dunning: ['P1D'] })).toBe(false);
    expect(samePlan(a, { ...a, baseFee: null })).toBe(false);
  });

  it('find only their own meters: "constructor" is not a meter unless the plan has it', () => {
    const plan = valid(planInput());
    expect(meterPrice(plan, 'constructor')).toBeUndefined();
    expect(meterPrice(plan, 'seats')).toEqual({ unitPrice: '5.00', aggregation: 'max' });
    expect(
      meterPrice(
        valid(planInput({ meters: { constructor: { unitPrice: '1', aggregation: 'sum' as const } } })),
        'constructor',
      ),
    ).toEqual({ unitPrice: '1.00', aggregation: 'sum' });
  });
});
