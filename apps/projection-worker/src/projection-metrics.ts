import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { EventStoreDb } from '@gyroscops/event-store';
import { readProjectionStatuses, type ProjectionTables } from '@gyroscops/projections';

const STATE_VALUES = { live: 0, rebuilding: 1, halted: 2 } as const;

/**
 * Prometheus gauges for every projection, read from the checkpoints and the event store when
 * Prometheus scrapes (so every worker instance reports the same truth, whichever one applies).
 */
export function registerProjectionGauges(registry: Registry, readDb: Kysely<ProjectionTables>, eventStore: EventStoreDb): void {
  const labelNames = ['projection'] as const;
  const position = new Gauge({ name: 'projection_position', help: 'Global position of the last event applied', labelNames, registers: [registry] });
  const head = new Gauge({ name: 'projection_head_position', help: 'Highest committed global position of the event store', labelNames, registers: [registry] });
  const lagEvents = new Gauge({ name: 'projection_lag_events', help: 'Events committed but not applied yet', labelNames, registers: [registry] });
  const lagSeconds = new Gauge({ name: 'projection_lag_seconds', help: 'Age of the oldest event not applied yet', labelNames, registers: [registry] });
  const deadLetters = new Gauge({ name: 'projection_dead_letters', help: 'Events parked in the dead-letter table', labelNames, registers: [registry] });
  new Gauge({
    name: 'projection_state',
    help: 'Projection state: 0 live, 1 rebuilding, 2 halted',
    labelNames,
    registers: [registry],
    async collect() {
      const statuses = await readProjectionStatuses(readDb, eventStore).catch(() => []);
      for (const status of statuses) {
        const labels = { projection: status.name };
        this.set(labels, STATE_VALUES[status.state]);
        position.set(labels, Number(status.position));
        head.set(labels, Number(status.headPosition));
        lagEvents.set(labels, status.lagEvents);
        lagSeconds.set(labels, status.lagMs / 1000);
        deadLetters.set(labels, status.deadLetters);
      }
    },
  });
}
