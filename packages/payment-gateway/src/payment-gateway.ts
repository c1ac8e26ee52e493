/**
 * The port through which the platform takes money and gives it back. Adapters must be idempotent per
 * `idempotencyKey`: charging (or refunding) twice with one key moves money once and answers the same
 * outcome.
 */
export interface PaymentGateway {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * Moves money back to the payer for a payment charged earlier. Declined when the gateway refuses it
   * (more than was captured minus what was already refunded, among others); throws
   * TransientGatewayError when it cannot answer now.
   */
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /**
   * What the gateway did for a charge's idempotency key: the outcome it recorded, or `none` when no
   * money moved under it. `none` is final: the key is closed, and a charge that arrives with it later
   * (a retry still on the wire) is declined, so the caller may record the payment declined. A charge
   * still being processed under the key is waited for. Throws TransientGatewayError when the gateway
   * cannot answer now.
   */
  findCharge(idempotencyKey: string): Promise<ChargeLookup>;
  /** The same for a refund's idempotency key: its recorded outcome, or `none` (then closed for good). */
  findRefund(idempotencyKey: string): Promise<RefundLookup>;
}

/** What a lookup by idempotency key answers: the recorded outcome, or that nothing happened under the key. */
export type ChargeLookup = ChargeOutcome | { outcome: 'none' };
export type RefundLookup = RefundOutcome | { outcome: 'none' };

export interface ChargeRequest {
  paymentId: string;
  /** Decimal string in the currency's major unit, as the domain formats it. */
  amount: string;
  currency: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export type ChargeOutcome = { outcome: 'approved'; gatewayReference: string } | { outcome: 'declined'; reason: string };

export interface RefundRequest {
  paymentId: string;
  /**
   * The gateway's reference of the capture to refund, as its charge answered. A gateway refunds a
   * capture, not a payment id of ours: this keeps refunds right for payments whose id was spelled
   * differently when they were charged (see the stream id repair).
   */
  chargeReference: string;
  refundId: string;
  /** Decimal string in the currency's major unit, as the domain formats it. */
  amount: string;
  currency: string;
  /** The payment's metadata: the simulated gateway reads its `simulate` instruction there. */
  metadata: Record<string, string>;
  /** One per refund, never the charge's: a retried refund replays its outcome, another refund moves money. */
  idempotencyKey: string;
}

export type RefundOutcome = { outcome: 'approved'; gatewayReference: string } | { outcome: 'declined'; reason: string };

/** The gateway could not answer now; the same request may succeed later (Temporal retries it). */
export class TransientGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientGatewayError';
  }
}
