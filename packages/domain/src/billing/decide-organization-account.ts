import { validationError, type DomainError } from '../errors';
import { validateId, validateMetadata } from '../payment/commands';
import { formatInstant, parseInstantMs } from './instant';
import type {
  OrganizationAccountCommand,
  OrganizationAccountEvent,
  OrganizationAccountState,
} from './organization-account';

/**
 * Decides what a command does to an organization's account: suspend it for an invoice that became
 * uncollectible; reinstate it when the last invoice that suspended it is paid or voided (an earlier
 * one is only marked settled); set its payment method. Each is idempotent: suspending for an
 * invoice it is already suspended for, settling an invoice that holds no suspension, reinstating
 * an active organization, or setting the payment method it has, decides no events.
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
  const occurredAt = formatInstant(nowMs);
  if (command.type === 'SetPaymentMethod') {
    const errors = [
      ...validateId(command.data.organizationId, '/organizationId'),
      ...validateMetadata(command.data.metadata ?? null, '/metadata'),
    ];
    if (errors.length > 0) return validationError(errors);
    if (state.paymentMethodSetAt !== null && sameMetadata(state.paymentMethod, command.data.metadata)) return [];
    return [
      {
        type: 'OrganizationPaymentMethodSet',
        data: { organizationId: command.data.organizationId, metadata: { ...command.data.metadata }, occurredAt },
      },
    ];
  }
  const errors = [
    ...validateId(command.data.organizationId, '/organizationId'),
    ...validateId(command.data.invoiceId, '/invoiceId'),
  ];
  if (errors.length > 0) return validationError(errors);
  const data = { organizationId: command.data.organizationId, invoiceId: command.data.invoiceId, occurredAt };
  switch (command.type) {
    case 'SuspendOrganization':
      if (state.status === 'suspended' && state.suspendedFor.includes(data.invoiceId)) return [];
      return [{ type: 'OrganizationSuspended', data }];
    case 'ReinstateOrganization':
      if (state.status === 'active' || !state.suspendedFor.includes(data.invoiceId)) return [];
      if (state.suspendedFor.some((invoiceId) => invoiceId !== data.invoiceId))
        return [{ type: 'OrganizationInvoiceSettled', data }];
      return [{ type: 'OrganizationReinstated', data }];
    default: {
      const _exhaustive: never = command;
      return validationError([
        { path: '/type', message: `unknown command type ${String((_exhaustive as { type: unknown }).type)}` },
      ]);
    }
  }
}

function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key])
  );
}
