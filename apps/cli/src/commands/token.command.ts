import {
  callerOfClaims,
  DEV_JWT_SECRET,
  EnvReader,
  mintToken,
  readMaxTokenLifetime,
  type Env,
} from '@gyroscops/platform';

export interface TokenOptions {
  organizations: string[];
  admin: boolean;
  subject: string;
  ttlSeconds: number;
}

/**
 * The longest lifetime the APIs accept (JWT_MAX_LIFETIME_SECONDS, read as they read it): a token
 * living longer would be refused, so none is minted.
 */
export function maxTokenLifetime(env: Env = process.env): number {
  const reader = new EnvReader(env);
  const seconds = readMaxTokenLifetime(reader);
  reader.done();
  return seconds;
}

/**
 * Parses `--org <id>` (repeatable), `--admin`, `--sub <user>`, `--ttl <seconds>`; throws on anything
 * else, on a `--ttl` over `maxLifetimeSeconds`, and on a subject or organization id the APIs would
 * refuse in a token.
 */
export function parseTokenArguments(args: string[], maxLifetimeSeconds: number = maxTokenLifetime()): TokenOptions {
  const options: TokenOptions = {
    organizations: [],
    admin: false,
    subject: 'dev-user',
    ttlSeconds: Math.min(3600, maxLifetimeSeconds),
  };
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index];
    const value = () => {
      const next = args[index + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${argument} needs a value`);
      index += 1;
      return next;
    };
    if (argument === '--org') options.organizations.push(value());
    else if (argument === '--admin') options.admin = true;
    else if (argument === '--sub') options.subject = value();
    else if (argument === '--ttl') {
      const ttl = Number(value());
      if (!Number.isSafeInteger(ttl) || ttl < 1) throw new Error('--ttl must be a positive number of seconds');
      if (ttl > maxLifetimeSeconds)
        throw new Error(
          `--ttl must be at most ${maxLifetimeSeconds} seconds: the APIs refuse tokens living longer (JWT_MAX_LIFETIME_SECONDS)`,
        );
      options.ttlSeconds = ttl;
    } else throw new Error(`unknown argument ${argument}`);
  }
  if (options.organizations.length === 0)
    throw new Error('usage: npm run token -- --org <id> [--org <id2>] [--admin] [--sub <user>] [--ttl 3600]');
  // The APIs' own claim checks: an id they would refuse makes a token that never works.
  callerOfClaims({ sub: options.subject, orgs: options.organizations });
  return options;
}

/**
 * The token `npm start` and `npm run token` print, signed with JWT_SECRET or the development-only
 * default; its lifetime is cut to what the APIs accept, so it always works.
 */
export function developmentToken(
  options: TokenOptions,
  secret: string = process.env.JWT_SECRET || DEV_JWT_SECRET,
  maxLifetimeSeconds: number = maxTokenLifetime(),
): string {
  const claims = { sub: options.subject, orgs: options.organizations, ...(options.admin ? { roles: ['admin'] } : {}) };
  return mintToken(secret, claims, { ttlSeconds: Math.min(options.ttlSeconds, maxLifetimeSeconds) });
}

/** `npm run token -- --org <id> [--admin]`: prints an HS256 bearer token for local development and tests. */
export async function tokenCommand(args: string[]): Promise<void> {
  console.log(developmentToken(parseTokenArguments(args)));
}
