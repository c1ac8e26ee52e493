export * from './payments/payments.table';
export * from './payments/payment-row-mapping';
export * from './payments/payments.projection';
export * from './payments/payments.queries';
export * from './migrations';
