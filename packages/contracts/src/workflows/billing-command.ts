import type { BillingPlanInput, UsageRecordInput } from '@gyroscops/domain';
import type { CommandContext } from './payment-command';
import { defineWorkflow } from './workflow-definition';

/**
 * A command on one organization's billing stream. A usage batch is one command (one workflow, one
 * append), never one per record: its records all belong to `organizationId`.
 */
export type BillingCommandRequest =
  | { kind: 'set-plan'; context: CommandContext; organizationId: string; plan: BillingPlanInput }
  | { kind: 'record-usage'; context: CommandContext; organizationId: string; records: UsageRecordInput[] }
  /**
   * Closes the organization's current billing cycle now (an admin's close), as its timer would:
   * BillingCycleClosed on the organization's stream, then InvoiceIssued on the invoice's stream.
   */
  | { kind: 'close-cycle'; context: CommandContext; organizationId: string };

export type BillingCommandKind = BillingCommandRequest['kind'];

/** What the stream looks like after the command: its version and the position of its last event. */
interface BillingCommandOutcome {
  commandId: string;
  organizationId: string;
  version: number;
  /** Global event position, a decimal string ('0' when the stream holds no event yet). */
  position: string;
}

export type BillingCommandResult =
  | (BillingCommandOutcome & {
      kind: 'plan-set';
      /** When the plan bills: now for the first plan, else the next cycle's start. */
      effectiveFrom: string;
    })
  | (BillingCommandOutcome & {
      kind: 'usage-recorded';
      /** Records of the batch stored now. */
      accepted: number;
      /** Records of the batch the organization had accepted before (or twice in the batch): not billed again. */
      duplicates: number;
    })
  | (BillingCommandOutcome & {
      kind: 'cycle-closed';
      /** The cycle this command closed (or found closed by its timer meanwhile). */
      cycleSequence: number;
      /** The invoice the close issued; null for an empty cycle without base fee. */
      invoiceId: string | null;
    });

/**
 * One billing command, decided and recorded. Fails with a non-retryable ApplicationFailure whose
 * type is a CommandRejectionCode when the command is refused.
 */
export type BillingCommandWorkflow = (request: BillingCommandRequest) => Promise<BillingCommandResult>;
export const BILLING_COMMAND_WORKFLOW = defineWorkflow<BillingCommandWorkflow>()('billingCommandWorkflow');

/** One workflow execution per billing command: an idempotent retry attaches to the same execution. */
export const billingCommandWorkflowId = (commandId: string) => `billing-command-${commandId}`;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID spelled the one way ids are stored: lower-case hex with hyphens, no braces or urn prefix. */
export const isCanonicalUuid = (value: unknown): value is string =>
  typeof value === 'string' && CANONICAL_UUID.test(value);

/**
 * The stream of one organization's billing in the event store. Only a canonical UUID names one:
 * two spellings of an organization would otherwise split its usage, cycles and invoice numbers
 * over two streams.
 *
 * @throws TypeError for any other organization id (the edge refuses those first)
 */
export const organizationBillingStreamId = (organizationId: string): string => {
  if (!isCanonicalUuid(organizationId)) {
    throw new TypeError(
      `an organization's billing stream needs a lower-case UUID organization id, not '${organizationId}'`,
    );
  }
  return `organization-billing-${organizationId}`;
};
export const ORGANIZATION_BILLING_STREAM_TYPE = 'organization-billing';
