import type { BillingPlanInput, UsageRecordInput } from '@gyroscops/domain';
import type { CommandContext } from './payment-command';
import { defineWorkflow } from './workflow-definition';

/**
 * A command on one organization's billing stream. A usage batch is one command (one workflow, one
 * append), never one per record: its records all belong to `organizationId`.
 */
export type BillingCommandRequest =
  | { kind: 'set-plan'; context: CommandContext; organizationId: string; plan: BillingPlanInput }
  | { kind: 'record-usage'; context: CommandContext; organizationId: string; records: UsageRecordInput[] };

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
    });

/**
 * One billing command, decided and recorded. Fails with a non-retryable ApplicationFailure whose
 * type is a CommandRejectionCode when the command is refused.
 */
export type BillingCommandWorkflow = (request: BillingCommandRequest) => Promise<BillingCommandResult>;
export const BILLING_COMMAND_WORKFLOW = defineWorkflow<BillingCommandWorkflow>()('billingCommandWorkflow');

/** One workflow execution per billing command: an idempotent retry attaches to the same execution. */
export const billingCommandWorkflowId = (commandId: string) => `billing-command-${commandId}`;

/** The stream of one organization's billing in the event store. */
export const organizationBillingStreamId = (organizationId: string) => `organization-billing-${organizationId}`;
export const ORGANIZATION_BILLING_STREAM_TYPE = 'organization-billing';
