import type { Metadata } from '@gyroscops/domain';
import type { CommandContext } from './payment-command';
import { defineWorkflow } from './workflow-definition';

/** A client's command on an organization's account stream (organizationAccountStreamId). */
export type OrganizationAccountCommandRequest = {
  kind: 'set-payment-method';
  context: CommandContext;
  organizationId: string;
  /** Flat, as a payment's metadata: every invoice payment carries it from now on. */
  metadata: Metadata;
};

export interface OrganizationAccountCommandResult {
  commandId: string;
  organizationId: string;
  /** The account stream's version after the command. */
  version: number;
  /** Global position of the stream's last event, a decimal string ('0' for an empty stream). */
  position: string;
}

/**
 * One account command, decided and recorded. Fails with a non-retryable ApplicationFailure whose
 * type is a CommandRejectionCode when the command is refused.
 */
export type OrganizationAccountCommandWorkflow = (
  request: OrganizationAccountCommandRequest,
) => Promise<OrganizationAccountCommandResult>;
export const ORGANIZATION_ACCOUNT_COMMAND_WORKFLOW = defineWorkflow<OrganizationAccountCommandWorkflow>()(
  'organizationAccountCommandWorkflow',
);

/** One execution per command: an idempotent retry attaches to the same execution. */
export const organizationAccountCommandWorkflowId = (commandId: string) => `organization-account-command-${commandId}`;
