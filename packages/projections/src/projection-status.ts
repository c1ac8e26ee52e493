import type { Kysely } from 'kysely';
import { countEventsAfter, firstRecordedAfter, headPosition, type EventStoreDb } from '@gyroscops/event-store';
import { countDeadLetters } from './dead-letters';
import { readCheckpoints } from './projection-checkpoints';
import type { ProjectionState, ProjectionTables } from './tables';

export interface ProjectionStatus {
  name: string;
  version: number;
  position: bigint;
  headPosition: bigint;
  /** Events committed after the checkpoint (capped at LAG_COUNT_CAP). */
  lagEvents: number;
  /** Age of the oldest event not applied yet; 0 when caught up. */
  lagMs: number;
  state: ProjectionState;
  deadLetters: number;
  /** The live projection's error (what halted it), else the rebuild's (why its batches fail, or what halted it). */
  lastError: string | null;
  rebuild: {
    eventsDone: number;
    eventsTotal: number;
    eventsPerSecond: number;
    startedAt: Date;
    halted: boolean;
    lastError: string | null;
  } | null;
}

const LAG_COUNT_CAP = 1_000_000;

/** Where every projection stands against the head of the event store: what GET /projections and the gauges show. */
export async function readProjectionStatuses(
  readDb: Kysely<ProjectionTables>,
  eventStore: EventStoreDb,
  now = new Date(),
): Promise<ProjectionStatus[]> {
  const [checkpoints, deadLetters, rebuilds, head] = await Promise.all([
    readCheckpoints(readDb),
    countDeadLetters(readDb),
    readDb.selectFrom('projection_rebuilds').selectAll().execute(),
    headPosition(eventStore),
  ]);
  return Promise.all(
    checkpoints.map(async (checkpoint) => {
      const behind = checkpoint.position < head;
      const [lagEvents, oldest] = behind
        ? await Promise.all([
            countEventsAfter(eventStore, checkpoint.position, LAG_COUNT_CAP),
            firstRecordedAfter(eventStore, checkpoint.position),
          ])
        : [0, undefined];
      const rebuildRow = rebuilds.find((row) => row.projection === checkpoint.projection);
      let rebuild: ProjectionStatus['rebuild'] = null;
      if (rebuildRow) {
        const eventsDone = Number(rebuildRow.events_done);
        const seconds = Math.max((now.getTime() - rebuildRow.started_at.getTime()) / 1000, 0.001);
        rebuild = {
          eventsDone,
          eventsTotal: Math.max(Number(rebuildRow.events_total), eventsDone),
          eventsPerSecond: Math.round(eventsDone / seconds),
          startedAt: rebuildRow.started_at,
          halted: rebuildRow.state === 'halted',
          lastError: rebuildRow.last_error,
        };
      }
      const rebuildError = rebuild?.lastError
        ? `rebuild ${rebuild.halted ? 'halted' : 'failing'}: ${rebuild.lastError}`
        : null;
      return {
        name: checkpoint.projection,
        version: checkpoint.version,
        position: checkpoint.position,
        headPosition: head,
        lagEvents,
        lagMs: oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0,
        state: checkpoint.state,
        deadLetters: deadLetters.get(checkpoint.projection) ?? 0,
        lastError: checkpoint.lastError ?? rebuildError,
        rebuild,
      };
    }),
  );
}
