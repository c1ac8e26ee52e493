import { ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type {
  OrganizationAccountCommandRequest,
  OrganizationAccountCommandResult,
} from '@gyroscops/contracts/workflows';
import {
  decideOrganizationAccount,
  foldOrganizationAccount,
  isDomainError,
  type OrganizationAccountCommand,
} from '@gyroscops/domain';
import type { OrganizationAccountActivities } from '../activities/organization-account-activities';
import { rejectCommand, rejectWithDomainError } from './command-rejection';

/** A lost race (the invoice payment process suspending or reinstating meanwhile) is retried this often. */
const MAX_CONFLICT_RETRIES = 10;

/** Bounded like every command's steps: a command against a broken database fails in about a minute. */
const steps = proxyLocalActivities<OrganizationAccountActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 15 },
});

/** Workflow time is deterministic: it is the time of the workflow task, replayed identically. */
const now = () => new Date().toISOString();

/**
 * One execution per account command (its id derives from the command id, so an idempotent retry
 * attaches to it): load the organization's account stream, decide with the pure domain, append
 * with the version it was decided against; a lost race reloads and decides again.
 * Changing what it records breaks the replay of running commands: see docs/workflow-versioning.md.
 */
export async function organizationAccountCommandWorkflow(
  request: OrganizationAccountCommandRequest,
): Promise<OrganizationAccountCommandResult> {
  const { context, organizationId } = request;
  if (context.allowedOrganizations !== undefined && !context.allowedOrganizations.includes(organizationId)) {
    throw rejectCommand('NOT_FOUND', `organization ${organizationId} not found`);
  }
  let command: OrganizationAccountCommand;
  switch (request.kind) {
    case 'set-payment-method':
      command = { type: 'SetPaymentMethod', data: { organizationId, metadata: request.metadata } };
      break;
    default: {
      const unknown: never = request.kind;
      throw ApplicationFailure.nonRetryable(`unknown account command ${String(unknown)}`, 'VALIDATION');
    }
  }
  const result = (version: number, position: string) => ({
    commandId: context.commandId,
    organizationId,
    version,
    position,
  });
  for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
    const stream = await steps.loadOrganizationAccount({ organizationId });
    const decision = decideOrganizationAccount(foldOrganizationAccount(stream.events), command, now());
    if (isDomainError(decision)) throw rejectWithDomainError(decision);
    if (decision.length === 0) return result(stream.version, stream.lastPosition);
    const appended = await steps.appendOrganizationAccountEvents({
      organizationId,
      expectedVersion: stream.version,
      events: decision,
      context,
    });
    if (appended.appended) return result(appended.version, appended.position);
  }
  throw rejectCommand(
    'CONFLICT',
    `organization ${organizationId}'s account kept changing: gave up after ${MAX_CONFLICT_RETRIES} retries`,
  );
}
