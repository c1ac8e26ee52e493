import { HTTP_STATUS_BY_CODE, TITLE_BY_CODE, isErrorCode, type ErrorCode, type FieldProblem } from './application-error';

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
  errors?: unknown;
  headers?: Record<string, string>;
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

function validationProblems(error: FastifyLikeError): FieldProblem[] {
  return (error.validation ?? []).map((issue) => {
    const base = issue.instancePath || '';
    const extra = issue.params?.additionalProperty ?? issue.params?.missingProperty;
    const path = extra ? `${base}/${String(extra)}` : base || '/';
    return { path: error.validationContext ? `${error.validationContext}:${path}` : path, message: issue.message ?? 'is invalid' };
  });
}

/**
 * Turns anything thrown in a request into a problem. Errors with a known code keep their message;
 * anything else is a 5xx whose details stay in the logs, never in the answer.
 */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string>; isServerError: boolean } {
  const candidate = (error ?? {}) as FastifyLikeError & { errors?: FieldProblem[] };
  if (candidate.validation) {
    return {
      problem: problemOf('VALIDATION', 'The request does not match the schema.', validationProblems(candidate)),
      headers: {},
      isServerError: false,
    };
  }
  if (isErrorCode(candidate.code)) {
    const fieldErrors = Array.isArray(candidate.errors) ? candidate.errors : undefined;
    const status = HTTP_STATUS_BY_CODE[candidate.code];
    return {
      problem: problemOf(candidate.code, status >= 500 ? undefined : candidate.message, fieldErrors),
      headers: candidate.headers ?? {},
      isServerError: status >= 500,
    };
  }
  const fastifyCode = candidate.code ? FASTIFY_CODES[candidate.code] : undefined;
  if (fastifyCode) return { problem: problemOf(fastifyCode, candidate.message), headers: {}, isServerError: false };
  if (candidate.statusCode && candidate.statusCode >= 400 && candidate.statusCode < 500) {
    const code: ErrorCode = candidate.statusCode === 429 ? 'RATE_LIMITED' : candidate.statusCode === 404 ? 'NOT_FOUND' : 'VALIDATION';
    return { problem: { ...problemOf(code, candidate.message), status: candidate.statusCode }, headers: candidate.headers ?? {}, isServerError: false };
  }
  return { problem: problemOf('INTERNAL'), headers: {}, isServerError: true };
}
