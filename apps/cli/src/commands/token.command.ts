import { DEV_JWT_SECRET, mintToken } from '@gyroscops/platform';

export interface TokenOptions {
  organizations: string[];
  admin: boolean;
  subject: string;
  ttlSeconds: number;
}

/** Parses `--org <id>` (repeatable), `--admin`, `--sub <user>`, `--ttl <seconds>`; throws on anything else. */
export function parseTokenArguments(args: string[]): TokenOptions {
  const options: TokenOptions = { organizations: [], admin: false, subject: 'dev-user', ttlSeconds: 3600 };
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
      options.ttlSeconds = ttl;
    } else throw new Error(`unknown argument ${argument}`);
  }
  if (options.organizations.length === 0) throw new Error('usage: npm run token -- --org <id> [--org <id2>] [--admin] [--sub <user>] [--ttl 3600]');
  return options;
}

/** The token `npm start` and `npm run token` print, signed with JWT_SECRET or the development-only default. */
export function developmentToken(options: TokenOptions, secret: string = process.env.JWT_SECRET || DEV_JWT_SECRET): string {
  return mintToken(secret, { sub: options.subject, orgs: options.organizations, ...(options.admin ? { roles: ['admin'] } : {}) }, { ttlSeconds: options.ttlSeconds });
}

/** `npm run token -- --org <id> [--admin]`: prints an HS256 bearer token for local development and tests. */
export async function tokenCommand(args: string[]): Promise<void> {
  console.log(developmentToken(parseTokenArguments(args)));
}
