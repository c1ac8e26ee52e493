import { isDomainError, type DomainError, type DomainErrorCode } from '../../errors';
import { decideOrganizationAccount } from '../decide-organization-account';
import { decideInvoice } from '../decide-invoice';
import { decideOrganizationBilling, type OrganizationBillingContext } from '../decide-organization-billing';
import { foldInvoice, type InvoiceEvent, type InvoiceState } from '../invoice';
import type { InvoiceCommand } from '../invoice-commands';
import {
  foldOrganizationAccount,
  type OrganizationAccountCommand,
  type OrganizationAccountEvent,
  type OrganizationAccountState,
} from '../organization-account';
import {
  foldOrganizationBilling,
  type OrganizationBillingEvent,
  type OrganizationBillingState,
} from '../organization-billing';
import type { OrganizationBillingCommand } from '../organization-billing-commands';
import { deriveId, T0 } from './fixtures';

/**
 * given(...past events).when(command).then(...expected events) / .thenFails(code, message?), for
 * any aggregate of the billing domain. `then` also checks what every decision must satisfy: the
 * events are plain JSON and fold on top of the past; it returns the state after them.
 */
function givenFor<S extends { version: number }, E, C, X>(
  fold: (events: readonly E[], from?: S) => S,
  decide: (state: S, command: C, context: X) => E[] | DomainError,
) {
  return (...history: E[]) => {
    const state = fold(history);
    return {
      state,
      when(command: C, context: X) {
        const result = decide(state, command, context);
        const events = (): E[] => {
          if (isDomainError(result))
            throw new Error(`expected events, got ${result.code}: ${result.message} ${JSON.stringify(result.errors)}`);
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
          return result;
        };
        return {
          /** The decided events, whatever they are (for assertions on parts of them). */
          events,
          then(...expected: E[]): S {
            const decided = events();
            expect(decided).toEqual(expected);
            const after = fold(decided, state);
            expect(after.version).toBe(state.version + decided.length);
            return after;
          },
          /** The state after the decided events, whatever they are. */
          thenState(): S {
            return fold(events(), state);
          },
          thenFails(code: DomainErrorCode, message?: string | RegExp): DomainError {
            if (!isDomainError(result)) throw new Error(`expected ${code}, got events ${JSON.stringify(result)}`);
            expect(result.code).toBe(code);
            if (message !== undefined) expect(result.message).toMatch(message);
            return result;
          },
        };
      },
    };
  };
}

const billing = givenFor<
  OrganizationBillingState,
  OrganizationBillingEvent,
  OrganizationBillingCommand,
  OrganizationBillingContext
>(foldOrganizationBilling, decideOrganizationBilling);

/** given/when/then for an organization's billing stream; `when(command, now?, alreadyAccepted?)`. */
export function givenBilling(...history: OrganizationBillingEvent[]) {
  const g = billing(...history);
  return {
    state: g.state,
    when: (command: OrganizationBillingCommand, now: string = T0, alreadyAccepted: Iterable<string> = []) =>
      g.when(command, { now, deriveId, alreadyAccepted: new Set(alreadyAccepted) }),
  };
}

const invoice = givenFor<InvoiceState, InvoiceEvent, InvoiceCommand, string>(foldInvoice, decideInvoice);
/** given/when/then for an invoice stream; `when(command, now)`. */
export const givenInvoice = (...history: InvoiceEvent[]) => invoice(...history);

const account = givenFor<OrganizationAccountState, OrganizationAccountEvent, OrganizationAccountCommand, string>(
  foldOrganizationAccount,
  decideOrganizationAccount,
);
/** given/when/then for an organization account stream; `when(command, now)`. */
export const givenAccount = (...history: OrganizationAccountEvent[]) => account(...history);

/**
 * The events of a billing history written as commands: each step is decided on the state so far
 * and must succeed. For specs whose "given" is easier to say as what happened than as events.
 */
export function billingHistory(
  ...steps: Array<[OrganizationBillingCommand, string, Iterable<string>?]>
): OrganizationBillingEvent[] {
  const events: OrganizationBillingEvent[] = [];
  for (const [command, now, accepted] of steps) {
    const result = decideOrganizationBilling(foldOrganizationBilling(events), command, {
      now,
      deriveId,
      alreadyAccepted: new Set(accepted ?? []),
    });
    if (isDomainError(result)) throw new Error(`history step ${command.type} at ${now} failed: ${result.message}`);
    events.push(...result);
  }
  return events;
}

/** The field paths of a VALIDATION error, for compact assertions. */
export const paths = (error: DomainError): string[] => error.errors.map((e) => e.path);
