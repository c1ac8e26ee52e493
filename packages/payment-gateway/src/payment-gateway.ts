/**
 * The port through which the platform takes money. Adapters must be idempotent per
 * `idempotencyKey`: charging twice with one key moves money once and answers the same outcome.
 */
export interface PaymentGateway {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
}

export interface ChargeRequest {
  paymentId: string;
  /** Decimal string in the currency's major unit, as the domain formats it. */
  amount: string;
  currency: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export type ChargeOutcome = { outcome: 'approved'; gatewayReference: string } | { outcome: 'declined'; reason: string };

/** The gateway could not answer now; the same request may succeed later (Temporal retries it). */
export class TransientGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientGatewayError';
  }
}
