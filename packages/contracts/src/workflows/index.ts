/**
 * `@gyroscops/contracts/workflows`: what workflow code needs (task queues, workflow inputs and
 * results, signals and queries), without the HTTP schemas. Workflow code must import from here, not
 * from the package root: with `reuseV8Context`, Temporal evaluates a workflow bundle's modules again
 * for every workflow execution, and the root pulls in TypeBox and every HTTP schema.
 */
export * from './task-queues';
export * from './workflow-definition';
export * from './payment-command';
export * from './canonical-payment-command';
export * from './billing-command';
export * from './billing-state-codec';
export * from './billing-process';
export * from './invoice-payment';
export * from './organization-account-command';
export * from './projection';
export * from './reports';
export * from './command-result-update';
