import type { Pool } from 'pg';
import type { BenchSizes, Measure } from './harness';
import type { BenchStack, ServiceName } from './stack';

/** What every scenario gets: the running stack, the run's sizes, and what the runner prepared. */
export interface ScenarioContext {
  stack: BenchStack;
  sizes: BenchSizes;
  log: (line: string) => void;
  /** Payments seeded through the event store and projected into the stack's read model. */
  paymentIds: string[];
  /** A pg pool on the stack's read database. */
  readPool: Pool;
  /** RSS samples (kB) of each service: idle after start, and the peak during the command load. */
  memory: { idle: Partial<Record<ServiceName, number>>; underCommandLoad: Partial<Record<ServiceName, number>> };
}

export interface Scenario {
  name: string;
  /** false when the scenario does not read the seeded payments: a run of only such scenarios seeds none. */
  readsSeededPayments?: boolean;
  run(context: ScenarioContext): Promise<{ measures: Measure[]; notes: string[] }>;
}
