import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/**
 * The instants the services accept: RFC 3339 date-times with a time zone, from 1970-01-01T00:00:00Z
 * up to (not including) 10000-01-01T00:00:00Z. A syntactic date-time check is not enough: it lets
 * through a leap second (`23:59:60`, which JavaScript cannot represent), year 0 (which Postgres has
 * not) and years JavaScript and Postgres disagree on, each of which used to fail deep in a query
 * instead of answering 400. The Ajv formats `date-time` and `date` of the HTTP edge are these
 * functions (packages/platform validator-compiler).
 */
export const INSTANT_MIN_YEAR = 1970;
export const INSTANT_MAX_YEAR = 9999;

const EARLIEST = Date.UTC(INSTANT_MIN_YEAR, 0, 1);
const END = Date.UTC(INSTANT_MAX_YEAR + 1, 0, 1);

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a real calendar day in the supported years, or undefined (February 30, month 13, year 0...). */
function calendarDay(year: number, month: number, day: number): number | undefined {
  if (year < INSTANT_MIN_YEAR || year > INSTANT_MAX_YEAR) return undefined;
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  // Date.UTC rolls over (February 30 becomes March 2): only a real day reads back as it was written.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? time
    : undefined;
}

/**
 * The instant an RFC 3339 date-time names, or undefined when it is not one the services support:
 * malformed, an impossible day or time (no leap second, no 24:00), an offset past ±23:59, or outside
 * the supported range once converted to UTC. Fractions of a second beyond milliseconds are truncated.
 */
export function parseInstant(value: string): Date | undefined {
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const midnight = calendarDay(Number(year), Number(month), Number(day));
  if (midnight === undefined || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  let offset = 0;
  if (zulu === undefined) {
    if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  }
  const milliseconds = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const time = midnight + ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000 + milliseconds - offset;
  return time >= EARLIEST && time < END ? new Date(time) : undefined;
}

/** True for an RFC 3339 date-time the services support (see `parseInstant`). */
export function isSupportedInstant(value: string): boolean {
  return parseInstant(value) !== undefined;
}

/** True for a `YYYY-MM-DD` that is a real calendar day in the supported years. */
export function isSupportedDay(value: string): boolean {
  const match = DATE.exec(value);
  return match !== null && calendarDay(Number(match[1]), Number(match[2]), Number(match[3])) !== undefined;
}

const INSTANT_RULES = `RFC 3339 with a time zone (Z or ±hh:mm), from ${INSTANT_MIN_YEAR}-01-01T00:00:00Z to ${INSTANT_MAX_YEAR}-12-31T23:59:59.999Z; no leap second.`;
const DAY_RULES = `A UTC day, YYYY-MM-DD, from ${INSTANT_MIN_YEAR}-01-01 to ${INSTANT_MAX_YEAR}-12-31.`;

const describe = (description: string | undefined, rules: string) => (description ? `${description} ${rules}` : rules);

/** The type of every instant a client sends: `format: date-time`, checked by `parseInstant` at the edge. */
export function Instant(options: Omit<StringOptions, 'format' | 'pattern'> = {}): TString {
  return Type.String({ ...options, format: 'date-time', description: describe(options.description, INSTANT_RULES) });
}

/** The type of every calendar day a client sends: `format: date`, checked by `isSupportedDay` at the edge. */
export function Day(options: Omit<StringOptions, 'format' | 'pattern'> = {}): TString {
  return Type.String({ ...options, format: 'date', description: describe(options.description, DAY_RULES) });
}
