import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CommandIdParams, CommandStatus, commandWorkflowId, type PaymentCommandResult } from '@gyroscops/contracts';
import { ApplicationError, problemOf, problemResponses, type HttpApp } from '@gyroscops/platform';
import { outcomeOfFailure } from '../commands/command-outcome';

/** `GET /commands/{commandId}`: the state of an asynchronous (or slow) command, read from its workflow. */
export function registerCommandStatusRoutes(app: HttpApp, temporal: Client): void {
  app.get(
    '/commands/:commandId',
    {
      schema: {
        tags: ['commands'],
        operationId: 'getCommand',
        summary: 'State of a command: running, completed (with its result) or failed (with its error)',
        params: CommandIdParams,
        response: { 200: CommandStatus, ...problemResponses(400, 404, 500) },
      },
    },
    async (request) => {
      const { commandId } = request.params;
      const handle = temporal.workflow.getHandle(commandWorkflowId(commandId));
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new ApplicationError('NOT_FOUND', `command ${commandId} not found`);
        throw error;
      }
      if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return { commandId, state: 'running' as const };
      try {
        const result: PaymentCommandResult = await handle.result();
        return { commandId, state: 'completed' as const, result };
      } catch (error) {
        const outcome = outcomeOfFailure(error);
        const problem = outcome.kind === 'succeeded' ? problemOf('INTERNAL') : outcome.problem;
        const failure: { status: number; code: string; title: string; detail?: string; errors?: { path: string; message: string }[] } = {
          status: problem.status,
          code: problem.code,
          title: problem.title,
        };
        if (problem.detail) failure.detail = problem.detail;
        if (problem.errors) failure.errors = problem.errors;
        return { commandId, state: 'failed' as const, error: failure };
      }
    },
  );
}
