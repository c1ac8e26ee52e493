import type {
  Client,
  Workflow,
  WorkflowHandle,
  WorkflowHandleWithStartDetails,
  WorkflowStartOptions,
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
