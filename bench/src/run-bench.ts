import { Pool } from 'pg';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { EventStoreTables } from '@gyroscops/event-store';
import { waitFor } from '@gyroscops/dev-infra';
import { createDatabase } from '@gyroscops/platform';
import { analyzeSeeded } from './analyze-seeded';
import { appendScenario } from './append.scenario';
import { billingCycleCloseScenario } from './billing-cycle-close.scenario';
import { cacheHitScenario } from './cache-hit.scenario';
import { cacheMissScenario } from './cache-miss.scenario';
import type { BenchSizes, ScenarioOutcome } from './harness';
import { memoryScenario } from './memory.scenario';
import { postPaymentsScenario } from './post-payments.scenario';
import { projectionLagScenario } from './projection-lag.scenario';
import { rebuildScenario } from './rebuild.scenario';
import { searchScenario } from './search.scenario';
import { usageIngestionScenario } from './usage-ingestion.scenario';
import { seedPayments } from './seed-payments';
import { machineInfo, type BenchReport } from './report';
import type { Scenario, ScenarioContext } from './scenario';
import { startBenchStack, type ServiceName } from './stack';

/** In priority order; memory last, as it reports what the others sampled. */
export const SCENARIOS: Scenario[] = [
  cacheHitScenario,
  cacheMissScenario,
  searchScenario,
  appendScenario,
  postPaymentsScenario,
  projectionLagScenario,
  rebuildScenario,
  billingCycleCloseScenario,
  usageIngestionScenario,
  memoryScenario,
];

export interface BenchOptions {
  smoke?: boolean;
  events?: number;
  rounds?: number;
  durationSec?: number;
  /** Scenario names (or parts of them) to run; all when empty. */
  only?: string[];
  /** Command-worker processes (default 1): do more workers move the command path's throughput? */
  commandWorkers?: number;
  /** Command-api instances (default 1), the load spread over them. */
  commandApis?: number;
  log?: (line: string) => void;
}

export function sizesOf(options: BenchOptions): BenchSizes {
  const smoke = options.smoke ?? false;
  return {
    smoke,
    rounds: options.rounds ?? (smoke ? 1 : 3),
    durationSec: options.durationSec ?? (smoke ? 0.5 : 4),
    // The scale: 1,000,000 events (seeding them takes about 3 minutes here).
    events: options.events ?? (smoke ? 2_000 : 1_000_000),
  };
}

function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
}

/** Starts the stack, seeds payments for the read scenarios, runs every scenario, stops everything. */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(`[bench] ${line}`));
  const sizes = sizesOf(options);
  const startedAt = new Date().toISOString();
  installQuietRuntime();
  const topology = { commandWorkers: options.commandWorkers ?? 1, commandApis: options.commandApis ?? 1 };
  const stack = await startBenchStack(log, topology);
  // Ctrl-C or a kill still stops the children and Temporal and drops the scratch databases.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const scenarios: ScenarioOutcome[] = [];
  const readPool = new Pool({ connectionString: stack.postgres.readDatabaseUrl, max: 4, application_name: 'bench' });
  try {
    const memory: ScenarioContext['memory'] = { idle: {}, underCommandLoad: {} };
    for (const name of stack.services.keys()) memory.idle[name] = stack.rssKb(name as ServiceName);

    const selected = options.only?.length
      ? SCENARIOS.filter((s) => options.only!.some((part) => s.name.toLowerCase().includes(part.toLowerCase())))
      : SCENARIOS;
    // Enough for the cache-miss scenario to ask for each id once (it notes when it had to reuse some);
    // none when no selected scenario reads them (seeding and projecting them takes minutes).
    const payments = selected.some((scenario) => scenario.readsSeededPayments !== false)
      ? sizes.smoke
        ? 300
        : 25_000
      : 0;
    if (payments > 0) {
      const eventStore = createDatabase<EventStoreTables>({
        url: stack.postgres.eventStoreDatabaseUrl,
        maxConnections: 8,
        applicationName: 'bench-seed',
      });
      try {
        const started = performance.now();
        await seedPayments(eventStore, { events: payments * 2 });
        await waitFor(
          'the payments projection to catch up',
          async () => {
            const { rows } = await readPool.query<{ count: string }>('SELECT count(*) AS count FROM payments');
            return Number(rows[0]!.count) >= payments;
          },
          { timeoutMs: 180_000, intervalMs: 250 },
        );
        await Promise.all([
          analyzeSeeded(stack.postgres.eventStoreDatabaseUrl),
          analyzeSeeded(stack.postgres.readDatabaseUrl),
        ]);
        log(`seeded and projected ${payments} payments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await eventStore.destroy();
      }
    }
    const { rows } = await readPool.query<{ payment_id: string }>('SELECT payment_id FROM payments');
    const context: ScenarioContext = {
      stack,
      sizes,
      log,
      paymentIds: rows.map((row) => row.payment_id),
      readPool,
      memory,
    };

    for (const scenario of selected) {
      log(`scenario: ${scenario.name}`);
      const t0 = performance.now();
      try {
        const { measures, notes } = await scenario.run(context);
        scenarios.push({ scenario: scenario.name, measures, notes, seconds: (performance.now() - t0) / 1000 });
      } catch (error) {
        log(`scenario ${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
        scenarios.push({
          scenario: scenario.name,
          measures: [],
          notes: [],
          error: error instanceof Error ? error.message : String(error),
          seconds: (performance.now() - t0) / 1000,
        });
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await readPool.end().catch(() => undefined);
    log('stopping services, Temporal, dropping scratch databases');
    await stack.stop();
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    sizes,
    authenticated: true,
    ...(topology.commandWorkers > 1 || topology.commandApis > 1 ? { topology } : {}),
    scenarios,
    measures: scenarios.flatMap((scenario) => scenario.measures),
  };
}
