import { ANALYTICS_MAX_BUCKETS, parseInstant } from '@gyroscops/contracts';
import { ApplicationError } from '@gyroscops/platform';

export type RangeInterval = 'hour' | 'day' | 'month';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How many UTC buckets of `interval` the half-open range [from, to) touches. */
export function bucketCount(from: Date, to: Date, interval: RangeInterval): number {
  if (to.getTime() <= from.getTime()) return 0;
  if (interval === 'month') {
    const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
    const toIsMonthStart = to.getTime() === Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1);
    return months + (toIsMonthStart ? 0 : 1);
  }
  const length = interval === 'hour' ? HOUR_MS : DAY_MS;
  const first = Math.floor(from.getTime() / length) * length;
  return Math.ceil((to.getTime() - first) / length);
}

/**
 * The range of an analytics request, checked before any read: `from` strictly before `to`, at most
 * ANALYTICS_MAX_BUCKETS buckets and at most `maxDays` days, so one request never scans more rows than
 * that. A 400 VALIDATION naming the parameter otherwise.
 */
export function checkedRange(
  query: { from: string; to: string },
  interval: RangeInterval,
  maxDays: number,
): { from: Date; to: Date } {
  // The edge has validated both already (format date-time): parseInstant answers them.
  const from = parseInstant(query.from);
  const to = parseInstant(query.to);
  if (from === undefined || to === undefined || from.getTime() >= to.getTime()) {
    throw new ApplicationError('VALIDATION', '`from` must be before `to`', [
      { path: 'querystring:/from', message: 'must be before to' },
    ]);
  }
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new ApplicationError('VALIDATION', `the range may cover at most ${maxDays} days`, [
      { path: 'querystring:/to', message: `must be at most ${maxDays} days after from` },
    ]);
  }
  const buckets = bucketCount(from, to, interval);
  if (buckets > ANALYTICS_MAX_BUCKETS) {
    throw new ApplicationError(
      'VALIDATION',
      `the range holds ${buckets} buckets of one ${interval}; at most ${ANALYTICS_MAX_BUCKETS}`,
      [{ path: 'querystring:/interval', message: `too short for the range: at most ${ANALYTICS_MAX_BUCKETS} buckets` }],
    );
  }
  return { from, to };
}
