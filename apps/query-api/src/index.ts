/** What other code (tests, tools) may use of this service; `main.ts` is what runs it. */
export * from './app';
export * from './config';
export * from './query-bus/query-handler';
export * from './query-bus/query-middleware';
export * from './query-bus/cache-settings';
export * from './query-bus/cached-query-bus';
export * from './routes/cache-stats.routes';
export { paymentViewQuery } from './routes/payment-view.routes';
