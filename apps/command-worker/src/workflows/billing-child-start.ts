/**
 * True when a child's start failed because an execution of its id runs already (or, with
 * REJECT_DUPLICATE, ever ran). Told by the error's name: the error's class lives in
 * @temporalio/common, which workflow code does not import.
 */
export const isAlreadyStarted = (error: unknown): boolean =>
  error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';
