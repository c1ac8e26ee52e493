export type * from './tables';
export * from './errors';
export type { ExpectedVersion, NewEvent, AppendRequest, AppendResult, RecordedEvent } from './recorded-event';
export { appendToStream } from './append-to-stream';
export { MAX_EVENTS_PER_TRANSACTION } from './append-request';
export { readStream, type ReadStreamOptions } from './read-stream';
export { readAll, type ReadAllOptions } from './read-all';
export { readEvents, readByCorrelationId, type ReadEventsFilter } from './read-events';
export { headPosition, safeHeadPosition, countEventsAfter, firstRecordedAfter } from './head-position';
export { eventStoreMigrations } from './migrations';
export { appendClaimingUsageRecords, findClaimedUsageRecordIds, type UsageRecordClaim } from './usage-record-claims';
export { loadSnapshot, saveSnapshot, type StreamSnapshot } from './stream-snapshots';
export { APPENDED_CHANNEL, notifyAppended, parseAppendNotification } from './append-notifications';
export {
  canonicalStreamId,
  planStreamIdRepairs,
  repairStreamIds,
  type StreamIdRepair,
  type StreamIdRepairKind,
  type StreamIdRepairOptions,
} from './repair-stream-ids';
