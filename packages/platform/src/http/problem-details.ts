import { DomainError } from '@gyroscops/domain';
import { isDatabaseConnectionError } from '../database/connection-errors';
import {
  ApplicationError,
  HTTP_STATUS_BY_CODE,
  TITLE_BY_CODE,
  type ErrorCode,
  type FieldProblem,
} from './application-error';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: FieldProblem[];
}

const PROBLEM_TYPE_BASE = 'https://docs.gyroscops.com/problems/';

export function problemOf(code: ErrorCode, detail?: string, errors?: FieldProblem[]): Problem {
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE_BY_CODE[code],
    status: HTTP_STATUS_BY_CODE[code],
    code,
  };
  if (detail) problem.detail = detail;
  if (errors && errors.length > 0) problem.errors = errors;
  return problem;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/** Fastify's own error codes that are the client's fault, mapped onto the platform's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION',
  FST_ERR_VALIDATION: 'VALIDATION',
};

/** The platform code of another 4xx that Fastify itself raised (a bad URL, an unsupported method...). */
const codeOfClientStatus = (status: number): ErrorCode =>
  status === 404
    ? 'NOT_FOUND'
    : status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status === 414
        ? 'URI_TOO_LONG'
        : status === 415
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : status === 429
            ? 'RATE_LIMITED'
            : 'VALIDATION';

/**
 * Fastify's own errors (@fastify/error, codes `FST_*`): an Error that says where it comes from.
 * Anything else with a `code` (pg's '23505', Node's 'ECONNREFUSED', a library's 'NOT_FOUND') is not
 * trusted to pick the answer.
 */
function isFastifyError(error: unknown): error is Error & FastifyLikeError {
  return (
    error instanceof Error &&
    typeof (error as FastifyLikeError).code === 'string' &&
    (error as FastifyLikeError).code!.startsWith('FST_')
  );
}

function validationProblems(error: FastifyLikeError): FieldProblem[] {
  return (error.validation ?? []).map((issue) => {
    const base = issue.instancePath || '';
    const extra = issue.params?.additionalProperty ?? issue.params?.missingProperty;
    const path = extra ? `${base}/${String(extra)}` : base || '/';
    return {
      path: error.validationContext ? `${error.validationContext}:${path}` : path,
      message: issue.message ?? 'is invalid',
    };
  });
}

type ProblemAnswer = { problem: Problem; headers: Record<string, string>; isServerError: boolean };

const INTERNAL: () => ProblemAnswer = () => ({ problem: problemOf('INTERNAL'), headers: {}, isServerError: true });

function fromCode(
  code: ErrorCode,
  message: string,
  errors: FieldProblem[] | undefined,
  headers: Record<string, string>,
): ProblemAnswer {
  const status = HTTP_STATUS_BY_CODE[code];
  return {
    problem: problemOf(code, status >= 500 ? undefined : message, errors),
    headers,
    isServerError: status >= 500,
  };
}

/**
 * Turns anything thrown in a request into a problem. Only errors raised on purpose choose the
 * answer: ApplicationError and DomainError instances (their code, message, field errors and
 * headers) and Fastify's own client errors (validation, parsing, body size, media type). A lost
 * database connection is a 503 with Retry-After. Anything else, whatever `code` or `statusCode` it
 * carries, is a 500 whose details stay in the logs.
 */
export function toProblem(error: unknown): ProblemAnswer {
  if (error instanceof ApplicationError) return fromCode(error.code, error.message, error.errors, { ...error.headers });
  if (error instanceof DomainError) return fromCode(error.code, error.message, error.errors, {});
  // A connection lost under a query (restart, failover, terminated backend) is transient: retry soon.
  if (isDatabaseConnectionError(error))
    return fromCode('UNAVAILABLE', 'database connection lost', undefined, { 'retry-after': '1' });
  if (!isFastifyError(error)) return INTERNAL();
  if (error.validation) {
    return {
      problem: problemOf('VALIDATION', 'The request does not match the schema.', validationProblems(error)),
      headers: {},
      isServerError: false,
    };
  }
  const mapped = FASTIFY_CODES[error.code!];
  if (mapped) return { problem: problemOf(mapped, error.message), headers: {}, isServerError: false };
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      problem: { ...problemOf(codeOfClientStatus(status), error.message), status },
      headers: {},
      isServerError: false,
    };
  }
  return INTERNAL();
}
