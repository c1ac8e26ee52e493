/** `apply` itself failed (a bug or an event it cannot handle), as opposed to the database being unreachable. */
export class ProjectionApplyError extends Error {
  constructor(
    readonly projection: string,
    override readonly cause: unknown,
  ) {
    super(
      `projection ${projection} failed to apply a batch: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ProjectionApplyError';
  }
}

/**
 * SQLSTATE classes that say nothing about the events: connection trouble (08), serialization failures
 * and deadlocks (40), resources (53), operator intervention (57). Such errors are retried forever; they
 * must never get an event parked.
 */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '40', '53', '57'];

export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code.length === 5) return TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  const message = error instanceof Error ? error.message : '';
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect/i.test(
    message,
  );
}
