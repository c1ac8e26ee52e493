import {
  PROJECTION_REBUILD_WORKFLOW,
  projectionRebuildWorkflowId,
  projectionWorkflowId,
  rebuildProgressQuery,
  resumeProjectionSignal,
  retryDeadLettersSignal,
  TASK_QUEUES,
  type ProjectionRebuildProgress,
} from '@gyroscops/contracts';
import type { EventStoreTables } from '@gyroscops/event-store';
import {
  connectTemporalClient,
  createDatabase,
  loadConfig,
  readPostgresConfig,
  readTemporalConfig,
  startWorkflow,
  withTablesOf,
} from '@gyroscops/platform';
import { readProjectionStatuses, type ProjectionTables } from '@gyroscops/projections';

const USAGE = 'usage: npm run projections -- <status | rebuild <name> | resume <name> | retry <name>>';

function progressBar(progress: ProjectionRebuildProgress): string {
  const width = 30;
  const ratio = progress.eventsTotal > 0 ? Math.min(progress.eventsDone / progress.eventsTotal, 1) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(1).padStart(5)}%  ${progress.eventsDone}/${progress.eventsTotal} events  ${progress.eventsPerSecond} ev/s  ${progress.phase}`;
}

/** `npm run projections -- …`: status of every projection, zero-downtime rebuild with a progress bar, resume, retry dead letters. */
export async function projectionsCommand(args: string[]): Promise<void> {
  const [action, name] = args;
  const config = loadConfig((reader) => ({
    postgres: readPostgresConfig(reader),
    temporal: readTemporalConfig(reader),
  }));
  if (action === 'status') {
    const readDb = createDatabase<ProjectionTables>({ url: config.postgres.readDatabaseUrl, maxConnections: 2 });
    const eventStore = createDatabase<EventStoreTables>({
      url: config.postgres.eventStoreDatabaseUrl,
      maxConnections: 2,
    });
    try {
      const statuses = await readProjectionStatuses(withTablesOf<ProjectionTables>(readDb), eventStore);
      console.table(
        statuses.map((status) => ({
          name: status.name,
          state: status.state,
          position: status.position.toString(),
          lagEvents: status.lagEvents,
          lagMs: status.lagMs,
          deadLetters: status.deadLetters,
          lastError: status.lastError ?? '',
        })),
      );
    } finally {
      await Promise.all([readDb.destroy(), eventStore.destroy()]);
    }
    return;
  }
  if (!name || !['rebuild', 'resume', 'retry'].includes(action ?? '')) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const temporal = await connectTemporalClient(config.temporal, 10_000);
  try {
    if (action === 'resume') {
      await temporal.workflow.getHandle(projectionWorkflowId(name)).signal(resumeProjectionSignal);
      console.log(`asked ${name} to resume`);
      return;
    }
    if (action === 'retry') {
      await temporal.workflow.getHandle(projectionWorkflowId(name)).signal(retryDeadLettersSignal);
      console.log(`asked ${name} to retry its dead letters`);
      return;
    }
    const handle = await startWorkflow(temporal, PROJECTION_REBUILD_WORKFLOW, {
      workflowId: projectionRebuildWorkflowId(name),
      taskQueue: TASK_QUEUES.projections,
      args: [{ projection: name }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    let done = false;
    const result = handle.result().finally(() => (done = true));
    while (!done) {
      const progress = await handle.query(rebuildProgressQuery).catch(() => undefined);
      if (progress) process.stderr.write(`\r${progressBar(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const final = await result;
    process.stderr.write(`\r${progressBar(final)}\n`);
    console.log(`rebuilt ${name}: ${final.eventsDone} events at ${final.eventsPerSecond} events/s`);
  } finally {
    await temporal.connection.close();
  }
}
