import { dunningStepAfterDecline, maxPaymentAttempts } from './dunning';
import { DEFAULT_DUNNING_WAITS } from './plan';

const NOW = '2025-01-31T12:00:00.000Z';

describe('dunning steps', () => {
  it('retry after each wait in turn, then give up: 1 day, 3 days, 7 days, then none', () => {
    expect([1, 2, 3, 4].map((n) => dunningStepAfterDecline(DEFAULT_DUNNING_WAITS, n, NOW))).toEqual([
      { kind: 'retry', wait: 'P1D', nextAttemptAt: '2025-02-01T12:00:00.000Z' },
      { kind: 'retry', wait: 'P3D', nextAttemptAt: '2025-02-03T12:00:00.000Z' },
      { kind: 'retry', wait: 'P7D', nextAttemptAt: '2025-02-07T12:00:00.000Z' },
      { kind: 'give_up' },
    ]);
    expect(maxPaymentAttempts(DEFAULT_DUNNING_WAITS)).toBe(4);
  });

  it('add calendar waits in UTC calendar terms (P1M from January 31st is February 28th)', () => {
    expect(dunningStepAfterDecline(['P1M'], 1, NOW)).toEqual({
      kind: 'retry',
      wait: 'P1M',
      nextAttemptAt: '2025-02-28T12:00:00.000Z',
    });
  });

  it('give up at once without waits', () => {
    expect(dunningStepAfterDecline([], 1, NOW)).toEqual({ kind: 'give_up' });
    expect(maxPaymentAttempts([])).toBe(1);
  });
});
