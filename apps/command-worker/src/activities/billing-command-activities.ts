import { ApplicationFailure, Context } from '@temporalio/activity';
import { sql } from 'kysely';
import {
  ORGANIZATION_BILLING_STREAM_TYPE,
  organizationBillingStreamId,
  type CommandContext,
  type EventMetadata,
} from '@gyroscops/contracts';
import {
  BILLING_STATE_SCHEMA_VERSION,
  decodeBillingState,
  encodeBillingState,
  type EncodedBillingState,
} from '@gyroscops/contracts/workflows';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  foldOrganizationBilling,
  initialOrganizationBillingState,
  invoiceIdName,
  isOrganizationBillingEvent,
  type OrganizationBillingEvent,
} from '@gyroscops/domain';
import {
  appendClaimingUsageRecords,
  findClaimedUsageRecordIds,
  loadSnapshot,
  notifyAppended,
  readStream,
  saveSnapshot,
  StreamOwnershipError,
  StreamVersionConflictError,
  UsageRecordsAlreadyClaimedError,
  type EventStoreDb,
} from '@gyroscops/event-store';
import { createBillingCycleActivities, deriveBillingId } from './billing-cycle-activities';
import { eventIdFor } from './create-command-activities';

export interface BillingCommandActivityDependencies {
  eventStore: EventStoreDb;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** An organization's billing stream as a command needs it. */
export interface LoadedOrganizationBilling {
  state: EncodedBillingState;
  /** The stream version (0: no stream yet), the expected version of the next append. */
  version: number;
  /** Global position of the stream's last event, a decimal string; '0' for no stream. */
  lastPosition: string;
  /** Of the record ids asked about, those the organization already accepted. */
  alreadyAccepted: string[];
  /**
   * The usage this very command appended already (its first try committed, then the worker lost
   * the answer): the command answers it rather than calling its own records duplicates.
   */
  ownUsageAppend?: { version: number; position: string; accepted: number; duplicates: number };
  /** The id of the invoice closing the current cycle would issue (UUIDv5 of invoiceIdName). */
  currentCycleInvoiceId?: string;
  /**
   * The cycle the loading close command closed already (its first try committed, then the worker
   * died before the workflow recorded it): the close stays pinned to that cycle, never the next.
   */
  ownClose?: { cycleSequence: number };
}

export interface AppendOrganizationBillingInput {
  organizationId: string;
  expectedVersion: number;
  events: OrganizationBillingEvent[];
  /** Usage record ids the events accept: claimed in the append's transaction. */
  claimRecordIds: string[];
  /** The state after the events, saved as the stream's snapshot once they are stored. */
  stateAfter: EncodedBillingState;
  context: CommandContext;
}

/** A lost race is an answer, not a failure: the workflow reloads and decides again. */
export type AppendOrganizationBillingOutcome =
  | { appended: true; version: number; position: string }
  | { appended: false; reason: 'version-conflict' | 'record-ids-claimed' };

/** Activities of the billing command workflow, built from their dependencies (no globals). */
export function createBillingCommandActivities(deps: BillingCommandActivityDependencies) {
  const log = deps.log ?? (() => undefined);
  const db = deps.eventStore;

  /**
   * The UsageRecorded event of `commandId` that claimed some of `claimedIds`, if any: event ids
   * depend on the stream version decided against, so a retried command that decides again cannot
   * find its append by them; the claims it made can (each claim keeps its append's position).
   */
  async function findOwnUsageAppend(organizationId: string, claimedIds: readonly string[], commandId: string) {
    const row = await db
      .selectFrom('usage_record_claims as claim')
      .innerJoin('events as event', 'event.position', 'claim.position')
      .select(['event.stream_version', 'event.position', 'event.data'])
      .where('claim.organization_id', '=', organizationId)
      .where(sql<boolean>`claim.record_id = ANY(${[...claimedIds]}::text[])`)
      .where('event.type', '=', 'UsageRecorded')
      .where(sql<boolean>`event.metadata->>'commandId' = ${commandId}`)
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    const data = row.data as { records?: unknown[]; duplicates?: number };
    return {
      version: row.stream_version,
      position: row.position,
      accepted: data.records?.length ?? 0,
      duplicates: data.duplicates ?? 0,
    };
  }

  return {
    ...createBillingCycleActivities(deps),

    /**
     * The state from the latest snapshot plus the events after it: a stream of a million usage
     * records (a thousand batches) costs one row and a few events, not a thousand events.
     */
    async loadOrganizationBilling(input: {
      organizationId: string;
      recordIds?: string[];
      /** The loading command: usage it appended already is told apart from other commands'. */
      commandId?: string;
      /** Set by a close: look for a cycle this command closed already. */
      closing?: boolean;
    }): Promise<LoadedOrganizationBilling> {
      const streamId = organizationBillingStreamId(input.organizationId);
      const snapshot = await loadSnapshot(db, streamId, BILLING_STATE_SCHEMA_VERSION);
      const from = snapshot
        ? decodeBillingState(snapshot.state as EncodedBillingState)
        : initialOrganizationBillingState;
      const fromVersion = snapshot?.version ?? 0;
      // The snapshot's own last event too: its position is the answer of a command that appends nothing.
      const recorded = await readStream(db, streamId, { fromVersion: Math.max(1, fromVersion) });
      const events: OrganizationBillingEvent[] = [];
      for (const event of recorded) {
        if (event.streamVersion <= fromVersion) continue;
        const candidate = { type: event.type, data: event.data };
        if (isOrganizationBillingEvent(candidate)) events.push(candidate);
      }
      const last = recorded[recorded.length - 1];
      const alreadyAccepted =
        input.recordIds && input.recordIds.length > 0
          ? [...(await findClaimedUsageRecordIds(db, input.organizationId, input.recordIds))]
          : [];
      const state = foldOrganizationBilling(events, from);
      const ownUsageAppend =
        input.commandId !== undefined && alreadyAccepted.length > 0
          ? await findOwnUsageAppend(input.organizationId, alreadyAccepted, input.commandId)
          : undefined;
      const ownClose =
        input.closing === true && input.commandId !== undefined
          ? await db
              .selectFrom('events')
              .select(sql<number>`(data->>'cycleSequence')::int`.as('cycle_sequence'))
              .where('stream_id', '=', streamId)
              .where('type', '=', 'BillingCycleClosed')
              .where(sql<boolean>`metadata->>'commandId' = ${input.commandId}`)
              .limit(1)
              .executeTakeFirst()
          : undefined;
      return {
        state: encodeBillingState(state),
        ...(ownClose ? { ownClose: { cycleSequence: Number(ownClose.cycle_sequence) } } : {}),
        version: last?.streamVersion ?? fromVersion,
        lastPosition: (last?.position ?? 0n).toString(),
        alreadyAccepted,
        ...(ownUsageAppend ? { ownUsageAppend } : {}),
        ...(state.kind === 'billing'
          ? { currentCycleInvoiceId: deriveBillingId(invoiceIdName(state.organizationId, state.cycle.sequence)) }
          : {}),
      };
    },

    async appendOrganizationBilling(input: AppendOrganizationBillingInput): Promise<AppendOrganizationBillingOutcome> {
      const { workflowExecution } = Context.current().info;
      const streamId = organizationBillingStreamId(input.organizationId);
      const events = input.events.map((event, index) => {
        const eventId = eventIdFor(input.context.commandId, streamId, input.expectedVersion + index + 1);
        const metadata: EventMetadata = {
          eventId,
          commandId: input.context.commandId,
          correlationId: input.context.correlationId,
          causationId: input.context.causationId,
          userId: input.context.userId,
          organizationId: input.organizationId,
          schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
          occurredAt: event.data.occurredAt,
          workflowId: workflowExecution?.workflowId ?? '',
          workflowRunId: workflowExecution?.runId ?? '',
        };
        return {
          eventId,
          type: event.type,
          data: event.data as unknown as Record<string, unknown>,
          metadata: { ...metadata },
          schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
        };
      });
      let result;
      try {
        result = await appendClaimingUsageRecords(
          db,
          {
            streamId,
            streamType: ORGANIZATION_BILLING_STREAM_TYPE,
            expectedVersion: input.expectedVersion === 0 ? 'no_stream' : input.expectedVersion,
            events,
          },
          { organizationId: input.organizationId, recordIds: input.claimRecordIds },
        );
      } catch (error) {
        if (error instanceof StreamVersionConflictError) return { appended: false, reason: 'version-conflict' };
        if (error instanceof UsageRecordsAlreadyClaimedError) return { appended: false, reason: 'record-ids-claimed' };
        if (error instanceof StreamOwnershipError) throw ApplicationFailure.nonRetryable(error.message, error.name);
        throw error;
      }
      notifyAppended(db, result.firstPosition).catch((error: Error) =>
        log('projection wake-up not delivered', { error: error.message }),
      );
      /*
       * The snapshot is a cache of the events, saved after their commit rather than in their
       * transaction: a snapshot that fails to save must not undo usage already accepted (nor hold
       * the stream's lock longer), and a missing or older one only makes the next load read more events.
       */
      await saveSnapshot(db, {
        streamId,
        version: result.nextVersion,
        schemaVersion: BILLING_STATE_SCHEMA_VERSION,
        state: input.stateAfter,
      }).catch((error: Error) => log('billing snapshot not saved', { streamId, error: error.message }));
      return { appended: true, version: result.nextVersion, position: result.lastPosition.toString() };
    },
  };
}

export type BillingCommandActivities = ReturnType<typeof createBillingCommandActivities>;
