import {
  WithStartWorkflowOperation,
  type Client,
  type UpdateDefinition,
  type Workflow,
  type WorkflowHandle,
  type WorkflowHandleWithStartDetails,
  type WorkflowIdConflictPolicy,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { WorkflowDefinition } from '@gyroscops/contracts/workflows';

/**
 * Starts a workflow declared in `@gyroscops/contracts/workflows`: the name comes from the definition
 * and `args` and the handle's result are checked against its type, so a starter cannot send what
 * the workflow no longer takes, nor read what it no longer returns.
 */
export function startWorkflow<W extends Workflow>(
  client: Client,
  definition: WorkflowDefinition<string, W>,
  options: WorkflowStartOptions<NoInfer<W>>,
): Promise<WorkflowHandleWithStartDetails<W>> {
  return client.workflow.start<W>(definition.name, options);
}

/** A handle on an execution of a declared workflow: its `result()` has the workflow's result type. */
export function workflowHandle<W extends Workflow>(
  client: Client,
  _definition: WorkflowDefinition<string, W>,
  workflowId: string,
): WorkflowHandle<W> {
  return client.workflow.getHandle<W>(workflowId);
}

/**
 * Starts a declared workflow (or, with `workflowIdConflictPolicy: 'USE_EXISTING'`, attaches to the
 * running execution with that id) and sends it an update in the same call (Update-with-Start), then
 * waits for the update's result: one Temporal call where a start and a long poll of the history would
 * take two.
 */
export function executeUpdateWithStart<W extends Workflow, Ret>(
  client: Client,
  definition: WorkflowDefinition<string, W>,
  update: UpdateDefinition<Ret, []>,
  options: {
    updateId: string;
    start: WorkflowStartOptions<NoInfer<W>> & { workflowIdConflictPolicy: WorkflowIdConflictPolicy };
  },
): Promise<Ret> {
  return client.workflow.executeUpdateWithStart(update, {
    updateId: options.updateId,
    startWorkflowOperation: new WithStartWorkflowOperation<W>(definition.name, options.start),
  });
}
