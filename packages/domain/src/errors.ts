/** What went wrong, in words the edge can map to an HTTP status (400, 404, 409). */
export type DomainErrorCode = 'VALIDATION' | 'NOT_FOUND' | 'CONFLICT';

/** Every code, so callers can check a value that crossed a serialization boundary. */
export const DOMAIN_ERROR_CODES: readonly DomainErrorCode[] = ['VALIDATION', 'NOT_FOUND', 'CONFLICT'];

/** One invalid input field; `path` is a JSON Pointer into the request body, e.g. '/amount', '/metadata/foo'. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type of the domain. `decide` returns it rather than throwing, so that a rejected
 * command is a value a workflow can record; `parseAmount` throws it for callers outside `decide`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * True for a DomainError, also one that lost its prototype on the way (Temporal activity
 * failures, structured clone, JSON): then we recognise it by its shape.
 */
export const isDomainError = (e: unknown): e is DomainError => {
  if (e instanceof DomainError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const shape = e as { name?: unknown; code?: unknown };
  return shape.name === 'DomainError' && (DOMAIN_ERROR_CODES as readonly unknown[]).includes(shape.code);
};

/** Shorthand for a VALIDATION error whose message lists the field messages. */
export const validationError = (errors: FieldError[], message?: string): DomainError =>
  new DomainError('VALIDATION', message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);

/** Escapes one JSON Pointer segment (RFC 6901), so a metadata key like 'a/b' gives '/metadata/a~1b'. */
export const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
