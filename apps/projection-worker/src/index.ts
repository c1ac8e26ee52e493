/** What other code (tests, tools) may use of this service; `main.ts` is what runs it. */
export * from './worker';
export * from './config';
export * from './workflow-bundle';
export * from './projection-registry';
export * from './activities/create-projection-activities';
export * from './activities/cache-invalidator';
