/*
 * Instants cross the domain as RFC 3339 strings (events are JSON) and are computed with as epoch
 * milliseconds. Only Date.UTC and the getUTC* readers are used: no clock, no local time zone.
 */

/** The earliest and the first unsupported instant: the years 1970 to 9999, as the HTTP edge accepts. */
export const EARLIEST_INSTANT_MS = Date.UTC(1970, 0, 1);
export const END_OF_INSTANTS_MS = Date.UTC(10000, 0, 1);

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * The epoch milliseconds of an RFC 3339 date-time with a time zone, or undefined when it is not a
 * real instant in 1970..9999: malformed, February 30, a leap second, an offset past ±23:59. Digits
 * past the millisecond are cut (the instants of billing are milliseconds).
 */
export function parseInstantMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const midnight = Date.UTC(y, m - 1, d);
  const check = new Date(midnight);
  // Date.UTC rolls over (February 30 becomes March 2): only a real day reads back as written.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  let offset = 0;
  if (zulu === undefined) {
    if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  }
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const time = midnight + ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000 + millis - offset;
  return time >= EARLIEST_INSTANT_MS && time < END_OF_INSTANTS_MS ? time : undefined;
}

/** The canonical form of an instant: UTC, milliseconds, 'Z' ('2025-03-01T10:00:00.000Z'). */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Reads an instant from a stored event without ever throwing (events are facts and must fold):
 * an unreadable one counts as the epoch.
 */
export function storedInstantToMs(value: string): number {
  return parseInstantMs(value) ?? EARLIEST_INSTANT_MS;
}
