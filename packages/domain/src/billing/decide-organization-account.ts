import { validationError, type DomainError } from '../errors';
import { validateId } from '../payment/commands';
import { formatInstant, parseInstantMs } from './instant';
import type {
  OrganizationAccountCommand,
  OrganizationAccountEvent,
  OrganizationAccountState,
} from './organization-account';

/**
 * Decides what a command does to an organization's account: suspend it for an invoice that became
 * uncollectible, reinstate it when an invoice is paid. Either is idempotent: suspending for an
 * invoice it is already suspended for, or reinstating an active organization, decides no events.
 * Pure and total; `now` (an ISO instant) becomes the events' occurredAt.
 */
export function decideOrganizationAccount(
  state: OrganizationAccountState,
  command: OrganizationAccountCommand,
  now: string,
): OrganizationAccountEvent[] | DomainError {
  if (typeof command !== 'object' || command === null || typeof command.data !== 'object' || command.data === null) {
    return validationError([{ path: '', message: 'a command needs a type and a data object' }]);
  }
  const nowMs = parseInstantMs(now);
  if (nowMs === undefined)
    return validationError([{ path: '', message: 'the decision time is not an RFC 3339 instant' }]);
  const errors = [
    ...validateId(command.data.organizationId, '/organizationId'),
    ...validateId(command.data.invoiceId, '/invoiceId'),
  ];
  if (errors.length > 0) return validationError(errors);
  const data = {
    organizationId: command.data.organizationId,
    invoiceId: command.data.invoiceId,
    occurredAt: formatInstant(nowMs),
  };
  switch (command.type) {
    case 'SuspendOrganization':
      if (state.status === 'suspended' && state.suspendedFor.includes(data.invoiceId)) return [];
      return [{ type: 'OrganizationSuspended', data }];
    case 'ReinstateOrganization':
      if (state.status === 'active') return [];
      return [{ type: 'OrganizationReinstated', data }];
    default: {
      const _exhaustive: never = command;
      return validationError([
        { path: '/type', message: `unknown command type ${String((_exhaustive as { type: unknown }).type)}` },
      ]);
    }
  }
}
