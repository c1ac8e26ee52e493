export * from './payment-gateway';
export * from './simulated/tables';
export * from './simulated/simulated-gateway';
export * from './migrations';
