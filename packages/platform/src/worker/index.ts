export * from './connect-native';
export * from './worker-health-server';
export * from './run-worker-service';
export * from './workflow-bundle';
export * from './replay-histories';
export * from './worker-tracing';
export * from './temporal-runtime';
