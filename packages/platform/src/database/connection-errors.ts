/**
 * SQLSTATEs that say the connection went away, not that the statement was wrong: class 08
 * (connection exception) and the server shutting down or starting (57P01..57P03).
 */
const CONNECTION_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123])$/;
/** What pg and Node say when the socket under a query is gone, or no connection can be had. */
const CONNECTION_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * True when a database call failed because its connection was lost or refused (a restart, a
 * failover, `pg_terminate_backend`): transient, so the request deserves a 503 with Retry-After and
 * a retry, not a 500. pg reports these as plain Errors, some with a SQLSTATE, some with only a message.
 */
export function isDatabaseConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  return CONNECTION_MESSAGE.test(error.message);
}
