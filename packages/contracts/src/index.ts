export * from './workflows/task-queues';
export * from './workflows/payment-command';
export * from './workflows/projection';
export * from './events/event-metadata';
export * from './http/common.schema';
export * from './http/problem.schema';
export * from './http/payment-commands.schema';
export * from './http/payment-view.schema';
