import { randomUUID } from 'node:crypto';
import {
  INVOICE_STREAM_TYPE,
  invoiceStreamId,
  ORGANIZATION_ACCOUNT_STREAM_TYPE,
  ORGANIZATION_BILLING_STREAM_TYPE,
  organizationAccountStreamId,
  organizationBillingStreamId,
} from '@gyroscops/contracts/workflows';
import {
  decideInvoice,
  decideOrganizationAccount,
  decideOrganizationBilling,
  foldInvoice,
  foldOrganizationAccount,
  foldOrganizationBilling,
  initialOrganizationBillingState,
  isDomainError,
  issueInvoiceCommand,
  type InvoiceCommand,
  type InvoiceEvent,
  type OrganizationAccountCommand,
  type OrganizationAccountEvent,
  type OrganizationBillingCommand,
  type OrganizationBillingEvent,
  type OrganizationBillingEventOf,
  type OrganizationBillingState,
} from '@gyroscops/domain';
import { appendToStream, type EventStoreDb } from '@gyroscops/event-store';

/*
 * Billing streams written the way the billing and invoice workflows write them: decide with the
 * domain's own deciders on the fold of what was appended, then append at that stream version.
 */

const ids = new Map<string, string>();
/** A stand-in for the production UUIDv5: one random UUID per name, the same each time it is asked. */
export const deriveTestId = (name: string): string => {
  let id = ids.get(name);
  if (id === undefined) ids.set(name, (id = randomUUID()));
  return id;
};

abstract class DecidedStream<Event extends { type: string; data: Record<string, unknown> }> {
  readonly events: Event[] = [];
  lastPosition = 0n;
  protected abstract readonly streamId: string;
  protected abstract readonly streamType: string;

  constructor(
    protected readonly eventStore: EventStoreDb,
    readonly organizationId: string,
  ) {}

  /** Appends what the domain decided; throws when it refused. */
  protected async append(decision: Event[] | Error): Promise<Event[]> {
    if (decision instanceof Error || isDomainError(decision)) throw decision;
    if (decision.length === 0) return decision;
    const result = await appendToStream(this.eventStore, {
      streamId: this.streamId,
      streamType: this.streamType,
      expectedVersion: this.events.length === 0 ? 'no_stream' : this.events.length,
      events: decision.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { organizationId: this.organizationId },
      })),
    });
    this.events.push(...decision);
    this.lastPosition = result.lastPosition;
    return decision;
  }
}

export class OrganizationBillingStream extends DecidedStream<OrganizationBillingEvent> {
  protected readonly streamId = organizationBillingStreamId(this.organizationId);
  protected readonly streamType = ORGANIZATION_BILLING_STREAM_TYPE;
  /** Folded as events are appended: a stream of thousands of usage batches is not folded again for each. */
  private folded: OrganizationBillingState = initialOrganizationBillingState;

  get state(): OrganizationBillingState {
    return this.folded;
  }

  async run(command: OrganizationBillingCommand, now: string): Promise<OrganizationBillingEvent[]> {
    const appended = await this.append(
      decideOrganizationBilling(this.folded, command, { now, deriveId: deriveTestId }),
    );
    this.folded = foldOrganizationBilling(appended, this.folded);
    return appended;
  }

  /** Closes the current cycle at `now`; answers the close event. */
  async close(now: string): Promise<OrganizationBillingEventOf<'BillingCycleClosed'>> {
    const events = await this.run({ type: 'CloseBillingCycle', data: { organizationId: this.organizationId } }, now);
    const closed = events.find((event) => event.type === 'BillingCycleClosed');
    if (!closed) throw new Error('the close decided no BillingCycleClosed');
    return closed as OrganizationBillingEventOf<'BillingCycleClosed'>;
  }
}

export class InvoiceStream extends DecidedStream<InvoiceEvent> {
  protected readonly streamId: string;
  protected readonly streamType = INVOICE_STREAM_TYPE;

  constructor(
    eventStore: EventStoreDb,
    organizationId: string,
    readonly invoiceId: string,
  ) {
    super(eventStore, organizationId);
    this.streamId = invoiceStreamId(invoiceId);
  }

  /** The invoice stream of a closed cycle, issued as the billing process issues it. */
  static async issue(
    eventStore: EventStoreDb,
    closed: OrganizationBillingEventOf<'BillingCycleClosed'>,
    now: string,
  ): Promise<InvoiceStream> {
    const command = issueInvoiceCommand(closed);
    if (command === null || command.type !== 'IssueInvoice') throw new Error('the close issued no invoice');
    const stream = new InvoiceStream(eventStore, closed.data.organizationId, command.data.invoiceId);
    await stream.run(command, now);
    return stream;
  }

  get state() {
    return foldInvoice(this.events);
  }

  async run(command: InvoiceCommand, now: string): Promise<InvoiceEvent[]> {
    return this.append(decideInvoice(this.state, command, now));
  }

  /** Starts a payment attempt and records its outcome. */
  async attempt(outcome: 'approved' | 'declined', now: string): Promise<string> {
    const paymentId = randomUUID();
    const { invoiceId } = this;
    await this.run({ type: 'StartInvoicePayment', data: { invoiceId, paymentId } }, now);
    await this.run(
      {
        type: 'RecordInvoicePaymentResult',
        data:
          outcome === 'approved'
            ? { invoiceId, paymentId, outcome }
            : { invoiceId, paymentId, outcome, reason: 'card_declined' },
      },
      now,
    );
    return paymentId;
  }
}

export class OrganizationAccountStream extends DecidedStream<OrganizationAccountEvent> {
  protected readonly streamId = organizationAccountStreamId(this.organizationId);
  protected readonly streamType = ORGANIZATION_ACCOUNT_STREAM_TYPE;

  get state() {
    return foldOrganizationAccount(this.events);
  }

  async run(command: OrganizationAccountCommand, now: string): Promise<OrganizationAccountEvent[]> {
    return this.append(decideOrganizationAccount(this.state, command, now));
  }
}
