import { isDomainError, type DomainError, type DomainErrorCode } from '../../errors';
import type { PaymentCommand } from '../commands';
import { decide } from '../decide';
import { foldPayment, type PaymentEvent, type PaymentState } from '../payment';
import { NOW } from './fixtures';

/**
 * given(...past events).when(command).then(...expected events) / .thenFails(code, message?).
 * `then` also checks what every decision must satisfy: the events are plain JSON and fold on top
 * of the past; it returns the state after them for extra assertions.
 */
export function given(...history: PaymentEvent[]) {
  const state = foldPayment(history);
  return {
    when(command: PaymentCommand, now: string = NOW) {
      const result = decide(state, command, now);
      return {
        then(...expected: PaymentEvent[]): PaymentState {
          if (isDomainError(result)) {
            throw new Error(`expected events, got ${result.code}: ${result.message} ${JSON.stringify(result.errors)}`);
          }
          expect(result).toEqual(expected);
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
          const after = foldPayment(result, state);
          expect(after.version).toBe(state.version + result.length);
          return after;
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
}

/** The field paths of a VALIDATION error, for compact assertions. */
export const paths = (error: DomainError): string[] => error.errors.map((e) => e.path);
