/** Raised at start-up when environment variables are missing or malformed; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** One variable as a reader read it: its name, what it falls back to, and what it accepts (.env.example is made of these). */
export interface EnvVariableRead {
  name: string;
  /** The value used when the variable is unset or blank, as it would be written; absent when there is none. */
  fallback?: string;
  /** What a valid value looks like, when the reader checks it. */
  accepts?: string;
}

let recorder: ((read: EnvVariableRead) => void) | undefined;

/**
 * Runs `read` (a service's config reader, synchronous like every reader) and returns every variable
 * the EnvReaders it made looked at, in order, each once. Throws what `read` throws.
 */
export function recordEnvReads(read: () => unknown): EnvVariableRead[] {
  const reads = new Map<string, EnvVariableRead>();
  const previous = recorder;
  recorder = (variable) => {
    if (!reads.has(variable.name)) reads.set(variable.name, variable);
  };
  try {
    read();
  } finally {
    recorder = previous;
  }
  return [...reads.values()];
}

/** Start-up errors end up in logs: never print a URL's password. */
function withoutPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * Reads typed values from an environment, collecting every problem so one start-up failure
 * lists all bad variables at once. Call `done()` to throw them.
 */
export class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private note(name: string, fallback?: string | number | boolean, accepts?: string): void {
    recorder?.({
      name,
      ...(fallback === undefined ? {} : { fallback: String(fallback) }),
      ...(accepts === undefined ? {} : { accepts }),
    });
  }

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    this.note(name, fallback);
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    this.note(name);
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    this.note(name, fallback, `one of ${allowed.join(', ')}`);
    const value = this.raw(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}=${value} must be one of ${allowed.join(', ')}`);
    return fallback;
  }

  integer(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
    this.note(
      name,
      fallback,
      `an integer${Number.isFinite(min) ? ` from ${min}` : ''}${Number.isFinite(max) ? ` to ${max}` : ''}`,
    );
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}=${value} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    this.note(name, fallback, 'true or false');
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}=${value} must be true or false`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: readonly string[]): string {
    this.note(name, fallback, `a ${protocols.map((protocol) => `${protocol}//`).join(' or ')} URL`);
    const value = this.raw(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problems.push(
        `${name} must be a ${protocols.join(' or ')} URL (got ${JSON.stringify(withoutPassword(value))})`,
      );
      return fallback;
    }
  }

  hostPort(name: string, fallback: string): string {
    this.note(name, fallback, 'host:port');
    const value = this.raw(name) ?? fallback;
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value)) this.problems.push(`${name}=${value} must be host:port`);
    return value;
  }

  /** A comma-separated list; blank items are dropped, so an unset or blank variable is the empty list. */
  list(name: string): string[] {
    this.note(name, undefined, 'a comma-separated list');
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /**
   * A comma-separated list of web origins (`scheme://host[:port]`, no path), as browsers send them
   * in `Origin`: anything else could never match and is a typo worth failing for.
   */
  origins(name: string): string[] {
    this.note(name, undefined, 'comma-separated scheme://host[:port] origins');
    const origins: string[] = [];
    for (const item of this.list(name)) {
      let origin: string | undefined;
      try {
        const parsed = new URL(item);
        if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === item.replace(/\/$/, ''))
          origin = parsed.origin;
      } catch {
        // reported below
      }
      if (origin === undefined)
        this.problems.push(
          `${name} must list origins like https://app.example.com (scheme, host and optional port, comma-separated); ${JSON.stringify(withoutPassword(item))} is not one`,
        );
      else origins.push(origin);
    }
    return origins;
  }

  /** Every variable whose name starts with `prefix`, by name, trimmed; blank ones are unset. */
  prefixed(prefix: string): Record<string, string> {
    this.note(`${prefix}*`);
    const found: Record<string, string> = {};
    for (const name of Object.keys(this.env)) {
      const value = name.startsWith(prefix) ? this.raw(name) : undefined;
      if (value !== undefined) found[name] = value;
    }
    return found;
  }

  /** Records a problem that involves several variables (named in the message). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError listing every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
