export * from './supervised-process';
export * from './http-ready';
export * from './redis-server';
