import type { FieldError } from '../errors';

/**
 * An ISO 8601 duration with non-negative integer components (no fractions, no sign):
 * P[nY][nM][nW][nD][T[nH][nM][nS]]. Weeks may be combined with the other units (ISO 8601-1:2019).
 */
export interface IsoDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** The shortest and longest billing cycle or dunning wait. */
export const MIN_DURATION = 'PT1S';
export const MAX_DURATION = 'P1Y';

// Nine digits per component: far past a year in any unit, and exact as a JavaScript number.
const DURATION_PATTERN =
  /^P(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?$/;

const DAY_MS = 86_400_000;

/** The duration an ISO 8601 string spells, or undefined ('P', 'PT', 'P1DT', 'p1d', 'PT0.5S', '-P1D'). */
export function parseDuration(value: unknown): IsoDuration | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  const [, years, months, weeks, days, hours, minutes, seconds] = match;
  // The pattern lets every part be absent; ISO needs at least one, and one after a 'T'.
  if ([years, months, weeks, days, hours, minutes, seconds].every((p) => p === undefined)) return undefined;
  if (value.includes('T') && [hours, minutes, seconds].every((p) => p === undefined)) return undefined;
  const n = (p: string | undefined): number => (p === undefined ? 0 : Number(p));
  return {
    years: n(years),
    months: n(months),
    weeks: n(weeks),
    days: n(days),
    hours: n(hours),
    minutes: n(minutes),
    seconds: n(seconds),
  };
}

/** The canonical spelling: zero components left out, leading zeros dropped ('P01M' -> 'P1M'); 'PT0S' for zero. */
export function formatDuration(d: IsoDuration): string {
  const date = `${d.years ? `${d.years}Y` : ''}${d.months ? `${d.months}M` : ''}${d.weeks ? `${d.weeks}W` : ''}${d.days ? `${d.days}D` : ''}`;
  const time = `${d.hours ? `${d.hours}H` : ''}${d.minutes ? `${d.minutes}M` : ''}${d.seconds ? `${d.seconds}S` : ''}`;
  if (date === '' && time === '') return 'PT0S';
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

/** Years and months: the calendar part, whose length depends on where it starts. */
const calendarMonths = (d: IsoDuration): number => d.years * 12 + d.months;

/** Weeks, days and time: a fixed number of milliseconds (a UTC day is always 86,400 s). */
const fixedMs = (d: IsoDuration): number =>
  (d.weeks * 7 + d.days) * DAY_MS + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;

/** `ms` moved by whole calendar months in UTC, the day clamped to the target month's last day. */
function addMonths(ms: number, months: number): number {
  if (months === 0) return ms;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  const timeOfDay = ms - Date.UTC(year, month, day);
  const target = year * 12 + month + months;
  const targetYear = Math.floor(target / 12);
  const targetMonth = target - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return Date.UTC(targetYear, targetMonth, Math.min(day, lastDay)) + timeOfDay;
}

/**
 * The instant `times` durations after `ms`, in UTC: years and months first, in calendar terms
 * from the start (Jan 31 + P1M = Feb 28 or 29, Jan 31 + 2 x P1M = Mar 31, so cycles counted from
 * one anchor never drift), then weeks, days and time as fixed lengths.
 */
export function addDuration(ms: number, d: IsoDuration, times = 1): number {
  return addMonths(ms, calendarMonths(d) * times) + fixedMs(d) * times;
}

/*
 * "At most P1Y" means: from any start, the duration ends no later than one year later. With M
 * calendar months (M < 12) and F fixed milliseconds, that holds when F fits, from every start, in
 * the gap between start + M months and start + 12 months. The gap depends only on the start's
 * month, day and whether a February 29 falls in between, so every start day of four consecutive
 * years (one leap day in each position) gives its exact minimum, whatever the year.
 */
const minGapCache = new Map<number, number>();
function minGapToOneYearMs(months: number): number {
  const cached = minGapCache.get(months);
  if (cached !== undefined) return cached;
  let min = Number.POSITIVE_INFINITY;
  const first = Date.UTC(2023, 2, 1);
  for (let day = 0; day < 1461; day += 1) {
    const start = first + day * DAY_MS;
    min = Math.min(min, addMonths(start, 12) - addMonths(start, months));
  }
  minGapCache.set(months, min);
  return min;
}

/** Why a duration is outside PT1S..P1Y, or undefined when it is within. */
function boundsProblem(d: IsoDuration): string | undefined {
  const months = calendarMonths(d);
  const fixed = fixedMs(d);
  // Components are whole numbers, so anything that is not zero lasts at least PT1S.
  if (months === 0 && fixed === 0) return `must be at least ${MIN_DURATION}`;
  const tooLong = `must be at most ${MAX_DURATION} from any start`;
  if (months > 12) return tooLong;
  if (months === 12) return fixed === 0 ? undefined : tooLong;
  return fixed <= minGapToOneYearMs(months) ? undefined : tooLong;
}

/**
 * Reads a billing cycle or dunning wait: an ISO 8601 duration from PT1S to P1Y. Answers its
 * canonical spelling and parsed form, or the field error at `path`.
 */
export function validateBoundedDuration(
  value: unknown,
  path: string,
): { duration: IsoDuration; canonical: string } | FieldError {
  const duration = parseDuration(value);
  if (duration === undefined) {
    return { path, message: 'must be an ISO 8601 duration such as "P1M", "P1D" or "PT1H": upper case, whole numbers' };
  }
  const problem = boundsProblem(duration);
  if (problem !== undefined) return { path, message: problem };
  return { duration, canonical: formatDuration(duration) };
}

/** Reads a duration from a stored event or plan without ever throwing: an unreadable one counts as P1D. */
export function storedDuration(value: string): IsoDuration {
  return parseDuration(value) ?? { years: 0, months: 0, weeks: 0, days: 1, hours: 0, minutes: 0, seconds: 0 };
}
