/**
 * Workflow interceptors (bundled with the command workflows; sandbox code) that count every command
 * by kind and outcome and time it from the workflow's start to its end, where it is true: in the
 * workflow, whatever the API answered meanwhile (201, or 202 when it stopped waiting). Recorded
 * through Temporal's workflow `metricMeter`, which is silent during replay, so a command is counted
 * once; the worker's /metrics serves them (command_workflows_total, command_workflow_duration_seconds).
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import {
  COMMAND_REJECTIONS,
  type PaymentCommandRequest,
  type PaymentCommandResult,
} from '@gyroscops/contracts/workflows';

type Outcome = { outcome: 'succeeded' | 'rejected' | 'failed'; code: string };

function outcomeOfError(error: unknown): Outcome | undefined {
  if (error instanceof ApplicationFailure && (COMMAND_REJECTIONS as readonly string[]).includes(error.type ?? '')) {
    return { outcome: 'rejected', code: error.type ?? 'unknown' };
  }
  // Any other Temporal failure fails the workflow; a plain Error (or ContinueAsNew) does not end it.
  if (error instanceof TemporalFailure && !(error instanceof ContinueAsNew))
    return { outcome: 'failed', code: error.name };
  return undefined;
}

function record(command: string, outcome: Outcome): void {
  const tags = { command, outcome: outcome.outcome, code: outcome.code };
  const seconds = Math.max(0, Date.now() - workflowInfo().runStartTime.getTime()) / 1000;
  metricMeter
    .createCounter('command_workflows', undefined, 'Command workflows ended, by command kind and outcome')
    .add(1, tags);
  metricMeter
    .createHistogram(
      'command_workflow_duration_seconds',
      'float',
      undefined,
      'Command workflow duration from start to end (workflow time), by command kind and outcome',
    )
    .record(seconds, tags);
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [
    {
      async execute(input, next) {
        const command = (input.args[0] as Partial<PaymentCommandRequest> | undefined)?.kind ?? 'unknown';
        try {
          const result = (await next(input)) as PaymentCommandResult;
          record(command, { outcome: 'succeeded', code: result?.status ?? 'unknown' });
          return result;
        } catch (error) {
          const outcome = outcomeOfError(error);
          if (outcome) record(command, outcome);
          throw error;
        }
      },
    },
  ],
});
