export * from './tables';
export * from './idempotency-store';
export * from './migrations';
