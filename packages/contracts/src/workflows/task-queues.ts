/** Task queues: the only names a worker and its callers must agree on. */
export const TASK_QUEUES = {
  /** Command workflows and their activities (apps/command-worker). */
  commands: 'payments-commands',
  /** Projection workflows (apps/projection-worker). */
  projections: 'projections',
  /** Heavy query workflows: reports and analytics (apps/query-worker). */
  queries: 'queries',
} as const;
