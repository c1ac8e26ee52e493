/**
 * Workflow interceptors (bundled with the command workflows; sandbox code) that let a starter get a
 * command's answer from the same Temporal call that starts it: every payment and billing command
 * workflow accepts the `commandResult` update, which completes with the workflow's result, or fails
 * with the failure the workflow fails with. The command-api sends it with the start
 * (Update-with-Start) instead of starting the workflow and then long-polling its history for the
 * close event.
 *
 * Registering a handler records nothing in the history, so histories recorded before it replay
 * unchanged. The workflow ends only once every update has its answer (they are answered in the same
 * workflow task as the workflow's end), so no caller is left waiting on an update the closed
 * workflow can no longer complete.
 */
import {
  allHandlersFinished,
  condition,
  setHandler,
  TemporalFailure,
  workflowInfo,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import {
  BILLING_COMMAND_WORKFLOW,
  commandResultUpdate,
  PAYMENT_COMMAND_WORKFLOW,
} from '@gyroscops/contracts/workflows';

/** The workflows that answer `commandResult`: one execution per command, ending with its answer. */
const COMMAND_WORKFLOWS: ReadonlySet<string> = new Set([PAYMENT_COMMAND_WORKFLOW.name, BILLING_COMMAND_WORKFLOW.name]);

type Settled = { ok: true; value: unknown } | { ok: false; failure: TemporalFailure };

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [
    {
      async execute(input, next) {
        if (!COMMAND_WORKFLOWS.has(workflowInfo().workflowType)) return next(input);
        let settled: Settled | undefined;
        setHandler(commandResultUpdate, async () => {
          await condition(() => settled !== undefined);
          if (settled!.ok) return settled!.value;
          throw settled!.failure;
        });
        const answered = async () => {
          if (!allHandlersFinished()) await condition(allHandlersFinished);
        };
        let value: unknown;
        try {
          value = await next(input);
        } catch (error) {
          // Only a TemporalFailure fails the workflow; any other error fails the workflow task, which retries.
          if (!(error instanceof TemporalFailure)) throw error;
          settled = { ok: false, failure: error };
          await answered();
          throw error;
        }
        settled = { ok: true, value };
        await answered();
        return value;
      },
    },
  ],
});
