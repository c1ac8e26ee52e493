/** Tools other code may reuse: the migration sets of each database. */
export * from './database-migrations';
