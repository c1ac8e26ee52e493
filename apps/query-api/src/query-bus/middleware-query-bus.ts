import type { FastifyReply, FastifyRequest } from 'fastify';
import type { L1FastPath } from './l1-fast-path';
import type { QueryBus, QueryDependencies, QueryHandler } from './query-handler';
import type { QueryExecution, QueryMiddleware } from './query-middleware';

/**
 * A QueryBus that runs every query through the same stages, in order, then the handler itself:
 * cross-cutting concerns live in the stages, handlers only read.
 */
export class MiddlewareQueryBus implements QueryBus {
  constructor(
    private readonly stages: readonly QueryMiddleware[],
    private readonly dependencies: QueryDependencies,
    /** The position a handler reads at, at least; taken just before it runs. */
    private readonly positionOf: (projections: readonly string[]) => bigint,
    /** Answers L1 hits without the stages; without it every query runs through them. */
    private readonly fastPath?: L1FastPath,
  ) {}

  answerFromL1<Params, Result>(
    handler: QueryHandler<Params, Result>,
    params: Params,
    request: FastifyRequest,
    reply: FastifyReply,
  ): { value: Result } | undefined {
    return this.fastPath?.(handler, params, request, reply);
  }

  async execute<Params, Result>(
    handler: QueryHandler<Params, Result>,
    params: Params,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Result> {
    const execution: QueryExecution = { handler: handler as QueryHandler<unknown, unknown>, params, request, reply };
    const run = (index: number): Promise<unknown> => {
      const stage = this.stages[index];
      if (stage) return stage(execution, () => run(index + 1));
      execution.position ??= this.positionOf(handler.projections);
      execution.source ??= 'db';
      return handler.handle(params, this.dependencies);
    };
    return (await run(0)) as Result;
  }
}
