import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { EventStoreDb } from '@gyroscops/event-store';
import { readProjectionStatuses, type ProjectionStatus, type ProjectionTables } from '@gyroscops/projections';

const STATE_VALUES = { live: 0, rebuilding: 1, halted: 2 } as const;

/**
 * One read of the statuses per scrape, shared by every gauge: prom-client collects all metrics of a
 * scrape concurrently, so a gauge set by another gauge's collect would show the previous scrape.
 */
function sharedPerScrape(read: () => Promise<ProjectionStatus[]>): () => Promise<ProjectionStatus[]> {
  let inFlight: Promise<ProjectionStatus[]> | undefined;
  return () => {
    inFlight ??= read()
      .catch(() => [])
      .finally(() => setImmediate(() => (inFlight = undefined)));
    return inFlight;
  };
}

/**
 * Prometheus gauges for every projection, read from the checkpoints and the event store when
 * Prometheus scrapes (so every worker instance reports the same truth, whichever one applies):
 * position, head, lag in events and in seconds (age of the oldest event not applied), dead letters
 * and state.
 */
export function registerProjectionGauges(
  registry: Registry,
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
): void {
  const statuses = sharedPerScrape(() => readProjectionStatuses(readDb, eventStore));
  const gauge = (name: string, help: string, valueOf: (status: ProjectionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const status of await statuses()) this.set({ projection: status.name }, valueOf(status));
      },
    });
  gauge('projection_position', 'Global position of the last event applied', (status) => Number(status.position));
  gauge('projection_head_position', 'Highest committed global position of the event store', (status) =>
    Number(status.headPosition),
  );
  gauge('projection_lag_events', 'Events committed but not applied yet', (status) => status.lagEvents);
  gauge('projection_lag_seconds', 'Age of the oldest event not applied yet', (status) => status.lagMs / 1000);
  gauge('projection_dead_letters', 'Events parked in the dead-letter table', (status) => status.deadLetters);
  gauge('projection_state', 'Projection state: 0 live, 1 rebuilding, 2 halted', (status) => STATE_VALUES[status.state]);
}
