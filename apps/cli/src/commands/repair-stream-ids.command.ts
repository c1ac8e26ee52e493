import { PROJECTIONS } from '@gyroscops/contracts';
import {
  planStreamIdRepairs,
  repairStreamIds,
  type EventStoreTables,
  type StreamIdRepair,
} from '@gyroscops/event-store';
import { createDatabase, loadConfig, readPostgresConfig } from '@gyroscops/platform';

const USAGE = 'usage: gyroscops repair-stream-ids [--apply] [--quiet-for <seconds>]';
const DEFAULT_QUIET_FOR_SECONDS = 600;

function optionsOf(args: string[]): { apply: boolean; quietForSeconds: number } | undefined {
  let apply = false;
  let quietForSeconds = DEFAULT_QUIET_FOR_SECONDS;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--apply') apply = true;
    else if (arg === '--quiet-for' && /^\d+$/.test(args[index + 1] ?? '')) quietForSeconds = Number(args[(index += 1)]);
    else return undefined;
  }
  return { apply, quietForSeconds };
}

const row = (repair: StreamIdRepair) => ({
  action: repair.kind,
  stream: repair.streamId,
  to: repair.targetStreamId ?? '',
  organization: repair.organizationId ?? '',
  events: repair.events,
  reason: repair.reason,
});

/**
 * `gyroscops repair-stream-ids [--apply]`: finds streams whose ids spell a UUID non-canonically
 * (written before ids were canonicalized at the edge) and, with --apply, renames or re-keys them
 * (see repairStreamIds in @gyroscops/event-store); without it, only says what it would do.
 */
export async function repairStreamIdsCommand(args: string[]): Promise<void> {
  const options = optionsOf(args);
  if (!options) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const { postgres } = loadConfig((reader) => ({ postgres: readPostgresConfig(reader) }));
  const db = createDatabase<EventStoreTables>({
    url: postgres.eventStoreDatabaseUrl,
    maxConnections: 1,
    applicationName: 'repair-stream-ids',
  });
  try {
    const settings = { quietForMs: options.quietForSeconds * 1000 };
    const repairs = options.apply ? await repairStreamIds(db, settings) : await planStreamIdRepairs(db, settings);
    if (repairs.length === 0) {
      console.log('every stream id is canonical: nothing to repair');
      return;
    }
    console.table(repairs.map(row));
    const count = (kind: StreamIdRepair['kind']) => repairs.filter((repair) => repair.kind === kind).length;
    const [renamed, rekeyed, held] = [count('rename'), count('rekey'), count('hold')];
    if (!options.apply) {
      console.log(
        `dry run: ${renamed} to rename, ${rekeyed} to re-key, ${held} held; nothing changed (--apply to repair)`,
      );
      return;
    }
    console.log(`repaired: ${renamed} renamed, ${rekeyed} re-keyed, ${held} held (recorded in stream_id_repairs)`);
    if (renamed + rekeyed > 0) {
      // Every read model that folds payment events.
      const rebuild = [PROJECTIONS.payments, PROJECTIONS.paymentStatistics, PROJECTIONS.paymentAnalytics]
        .map((name) => `npm run projections -- rebuild ${name}`)
        .join(' && ');
      console.log(`next: rebuild the read models of the moved streams: ${rebuild}`);
    }
    if (rekeyed > 0)
      console.log(
        'next: tell each organization the new id of its re-keyed payments (the rekey rows above, and stream_id_repairs)',
      );
    if (held > 0) console.log('next: run the repair again once the held streams are quiet');
  } finally {
    await db.destroy();
  }
}
