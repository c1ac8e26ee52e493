import { ApplicationFailure, Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { v5 as uuidv5 } from 'uuid';
import { organizationBillingStreamId, type CommandContext, type EventMetadata } from '@gyroscops/contracts';
import { INVOICE_STREAM_TYPE, invoiceStreamId } from '@gyroscops/contracts/workflows';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  decideInvoice,
  foldInvoice,
  isDomainError,
  isInvoiceEvent,
  issueInvoiceCommand,
  type InvoiceEvent,
  type OrganizationBillingEventOf,
} from '@gyroscops/domain';
import {
  appendToStream,
  notifyAppended,
  readStream,
  StreamVersionConflictError,
  type EventStoreDb,
} from '@gyroscops/event-store';
import { eventIdFor } from './create-command-activities';

/** The namespace of the billing side's derived ids (invoices, cycle closes): fixed for ever. */
const BILLING_ID_NAMESPACE = 'b7d4c2e9-5a31-4f6e-8c0b-9e2a7d15f3c8';

/**
 * A stable UUID for a name (UUIDv5): the same cycle always names the same invoice and the same
 * close command. Derived here rather than in workflow code, which runs in Temporal's sandbox.
 */
export const deriveBillingId = (name: string): string => uuidv5(name, BILLING_ID_NAMESPACE);

/** The command id of the billing process's own close of a cycle: its event ids derive from it. */
export const cycleCloseCommandId = (organizationId: string, cycleSequence: number): string =>
  deriveBillingId(`billing-cycle-close:${organizationId}:${cycleSequence}`);

/** The workflow execution running the activity; none when it is called outside Temporal (tests, tools). */
function currentWorkflowExecution(): { workflowId: string; runId: string } | undefined {
  try {
    return Context.current().info.workflowExecution;
  } catch {
    return undefined;
  }
}

/** How many closed cycles one call reports: a process that was down long catches up in runs of this many. */
const CLOSED_CYCLES_PER_CALL = 50;

/** Tries of the invoice append against a concurrent issuer of the same invoice (the other one wins, this one finds it). */
const ISSUE_ATTEMPTS = 5;

export interface BillingCycleActivityDependencies {
  eventStore: EventStoreDb;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Where an organization's billing stands for its billing process. */
export interface BillingCycleProgress {
  /** The current cycle; null when the organization has no plan (no stream). */
  cycle: { sequence: number; end: string; closeCommandId: string } | null;
  /**
   * Closed cycles after the process's `settledThrough`, oldest first (at most CLOSED_CYCLES_PER_CALL),
   * with the command id the process issues their invoice under if it is missing.
   */
  closedAfter: { sequence: number; closeCommandId: string }[];
}

/** The invoice of a closed cycle, once it is on its stream. */
export interface IssuedCycleInvoice {
  /** Null when the cycle closed without an invoice (no usage, no base fee). */
  invoiceId: string | null;
  /** True when the invoice stream holds more than its issue: its payment process is under way or done. */
  paymentStarted: boolean;
  /** Global position of the invoice's last event (of the close, without an invoice). */
  position: string;
}

/** Activities of the billing cycle: where the cycles stand, and issuing a closed cycle's invoice. */
export function createBillingCycleActivities(deps: BillingCycleActivityDependencies) {
  const log = deps.log ?? (() => undefined);
  const db = deps.eventStore;

  /** BillingCycleClosed events of an organization's stream, by cycle sequence. */
  const closedCycleEvents = (organizationId: string) =>
    db
      .selectFrom('events')
      .where('stream_id', '=', organizationBillingStreamId(organizationId))
      .where('type', '=', 'BillingCycleClosed');

  return {
    async billingCycleProgress(input: {
      organizationId: string;
      settledThrough: number;
    }): Promise<BillingCycleProgress> {
      const closed = await closedCycleEvents(input.organizationId)
        .select(sql<number>`(data->>'cycleSequence')::int`.as('cycle_sequence'))
        .where(sql<number>`(data->>'cycleSequence')::int`, '>', input.settledThrough)
        .orderBy('stream_version')
        .limit(CLOSED_CYCLES_PER_CALL)
        .execute();
      // The current cycle is the one after the last close, or the first plan's.
      const lastClose = await closedCycleEvents(input.organizationId)
        .select(sql<{ sequence: number; end: string }>`data->'nextCycle'`.as('next_cycle'))
        .orderBy('stream_version', 'desc')
        .limit(1)
        .executeTakeFirst();
      let current = lastClose?.next_cycle;
      if (current === undefined) {
        const first = await db
          .selectFrom('events')
          .select(sql<{ sequence: number; end: string } | null>`data->'firstCycle'`.as('first_cycle'))
          .where('stream_id', '=', organizationBillingStreamId(input.organizationId))
          .where('type', '=', 'BillingPlanSet')
          .orderBy('stream_version')
          .limit(1)
          .executeTakeFirst();
        current = first?.first_cycle ?? undefined;
      }
      return {
        cycle:
          current === undefined
            ? null
            : {
                sequence: current.sequence,
                end: current.end,
                closeCommandId: cycleCloseCommandId(input.organizationId, current.sequence),
              },
        closedAfter: closed.map((row) => ({
          sequence: Number(row.cycle_sequence),
          closeCommandId: cycleCloseCommandId(input.organizationId, Number(row.cycle_sequence)),
        })),
      };
    },

    /**
     * Issues the invoice of a closed cycle from the BillingCycleClosed event stored for it, so
     * every closer (the timer, an admin, a retry) issues the same invoice: its id and number come
     * from that event, and IssueInvoice of an invoice that exists decides nothing. The invoice's
     * occurredAt is the close's, so whoever issues it writes the same event.
     */
    async issueCycleInvoice(input: {
      organizationId: string;
      cycleSequence: number;
      context: CommandContext;
    }): Promise<IssuedCycleInvoice> {
      const row = await closedCycleEvents(input.organizationId)
        .select(['data', 'position'])
        .where(sql<number>`(data->>'cycleSequence')::int`, '=', input.cycleSequence)
        .limit(1)
        .executeTakeFirst();
      if (!row) {
        throw ApplicationFailure.nonRetryable(
          `billing cycle ${input.cycleSequence} of organization ${input.organizationId} is not closed`,
          'CycleNotClosed',
        );
      }
      const closed = {
        type: 'BillingCycleClosed',
        data: row.data,
      } as unknown as OrganizationBillingEventOf<'BillingCycleClosed'>;
      const command = issueInvoiceCommand(closed);
      if (command === null) return { invoiceId: null, paymentStarted: false, position: row.position };
      const { invoiceId } = command.data;
      const streamId = invoiceStreamId(invoiceId);
      const workflowExecution = currentWorkflowExecution();
      for (let attempt = 1; ; attempt += 1) {
        const recorded = await readStream(db, streamId);
        const events = recorded.flatMap((event) => {
          const candidate = { type: event.type, data: event.data };
          return isInvoiceEvent(candidate) ? [candidate] : [];
        });
        const state = foldInvoice(events);
        const decision = decideInvoice(state, command, closed.data.occurredAt);
        if (isDomainError(decision)) throw ApplicationFailure.nonRetryable(decision.message, decision.code);
        const last = recorded[recorded.length - 1];
        if (decision.length === 0) {
          return { invoiceId, paymentStarted: recorded.length > 1, position: (last?.position ?? 0n).toString() };
        }
        const version = last?.streamVersion ?? 0;
        try {
          const result = await appendToStream(db, {
            streamId,
            streamType: INVOICE_STREAM_TYPE,
            expectedVersion: version === 0 ? 'no_stream' : version,
            events: decision.map((event: InvoiceEvent, index) => {
              const eventId = eventIdFor(input.context.commandId, streamId, version + index + 1);
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
            }),
          });
          notifyAppended(db, result.firstPosition).catch((error: Error) =>
            log('projection wake-up not delivered', { error: error.message }),
          );
          return { invoiceId, paymentStarted: false, position: result.lastPosition.toString() };
        } catch (error) {
          // Another closer issued it first: the next read finds it and decides nothing.
          if (error instanceof StreamVersionConflictError && attempt < ISSUE_ATTEMPTS) continue;
          throw error;
        }
      }
    },
  };
}

export type BillingCycleActivities = ReturnType<typeof createBillingCycleActivities>;
