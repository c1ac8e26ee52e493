import type { Workflow } from '@temporalio/workflow';

/** Type-only key of the phantom property below: nothing is emitted for it. */
declare const workflowType: unique symbol;

/**
 * A workflow type as its callers and its worker know it: the name Temporal dispatches on, bound to
 * the function type (input and result) of the workflow. Starters hand the definition to
 * `client.workflow.start` (platform's `startWorkflow`) and workers check their exports against it
 * (`WorkflowImplementations`), so changing an input or a result breaks the build on both sides
 * instead of failing executions.
 */
export interface WorkflowDefinition<Name extends string = string, W extends Workflow = Workflow> {
  readonly name: Name;
  /** Carries the workflow's function type; never set at run time. */
  readonly [workflowType]?: W;
}

/** The function type a definition stands for. */
export type WorkflowOf<D> = D extends WorkflowDefinition<string, infer W> ? W : never;

/**
 * Declares a workflow type: `defineWorkflow<PaymentCommandWorkflow>()('paymentCommandWorkflow')`.
 * Curried so that the function type is given and the name's literal type is inferred.
 */
export const defineWorkflow =
  <W extends Workflow>() =>
  <Name extends string>(name: Name): WorkflowDefinition<Name, W> => ({ name });

/**
 * What a worker's workflow bundle must export for a union of definitions: each workflow under its
 * definition's name (Temporal registers a bundle's exports by name), with its definition's type.
 * A worker checks its exports with `satisfies WorkflowImplementations<typeof A | typeof B>`.
 */
export type WorkflowImplementations<D extends WorkflowDefinition> = {
  [Definition in D as Definition['name']]: WorkflowOf<Definition>;
};
