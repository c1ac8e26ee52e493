/**
 * JSON with object keys sorted at every depth, so two equal parameter objects give one cache key
 * whatever order their properties were written in. `undefined` properties are left out (as
 * JSON.stringify does), bigints become decimal strings and dates ISO strings.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : normalize(item)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const nested = (value as Record<string, unknown>)[key];
      if (nested !== undefined) sorted[key] = normalize(nested);
    }
    return sorted;
  }
  return value;
}
