export * from './tables';
export * from './projection';
export * from './projection-checkpoints';
export * from './apply-next-batch';
export * from './projection-notifier';
export * from './projection-position-tracker';
export * from './migrations';
