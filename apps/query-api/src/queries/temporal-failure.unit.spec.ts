import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationError } from '@gyroscops/platform';
import { temporalFailure } from './temporal-failure';

/** A gRPC error as the Temporal client's transport raises it (code, details, metadata). */
const grpcError = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: 'x', metadata: {} });

describe('temporalFailure', () => {
  it.each([
    ['UNAVAILABLE', 14],
    ['DEADLINE_EXCEEDED', 4],
    ['RESOURCE_EXHAUSTED', 8],
  ])('turns a Temporal that did not answer (%s) into a 503 with Retry-After', (_name, code) => {
    const failure = temporalFailure(new ServiceError('call failed', { cause: grpcError(code) }), 'reports');
    expect(failure).toBeInstanceOf(ApplicationError);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '5' } });
  });

  it('gives back every other error as it is: an answer of Temporal, or a bug, is not an outage', () => {
    const permissionDenied = new ServiceError('call failed', { cause: grpcError(7) });
    const notFound = new WorkflowNotFoundError('gone', 'report-1', undefined);
    const bug = new TypeError('undefined is not a function');
    for (const error of [permissionDenied, notFound, bug]) expect(temporalFailure(error, 'reports')).toBe(error);
  });
});
