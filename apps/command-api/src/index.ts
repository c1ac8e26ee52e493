/** What other code (tests, tools) may use of this service; `main.ts` is what runs it. */
export * from './app';
export * from './config';
export * from './commands/command-dispatcher';
export * from './commands/workflow-command-dispatcher';
