import { pointerSegment, type FieldError } from '../errors';

/** A flat map of string values a client attaches to a payment. */
export type Metadata = Record<string, string>;

/** Everything that can be asked of a payment. Amounts are decimal strings in the major unit. */
export type PaymentCommand =
  | {
      type: 'CreatePayment';
      data: {
        paymentId: string;
        organizationId: string;
        userId: string;
        amount: string;
        currency: string;
        description?: string | null;
        metadata?: Metadata;
        /** The invoice this payment pays: set by billing's payment process, never by a client. */
        invoiceId?: string;
      };
    }
  | {
      type: 'RecordChargeResult';
      data: { paymentId: string } & (
        { outcome: 'approved'; gatewayReference: string } | { outcome: 'declined'; reason: string }
      );
    }
  | {
      type: 'UpdatePayment';
      data: { paymentId: string; amount?: string; description?: string | null; metadata?: Metadata };
    }
  | { type: 'RefundPayment'; data: { paymentId: string; refundId: string; amount: string; reason?: string | null } }
  | {
      type: 'RecordRefundResult';
      data: { paymentId: string; refundId: string } & (
        { outcome: 'approved'; gatewayReference: string } | { outcome: 'declined'; reason: string }
      );
    }
  | { type: 'DeletePayment'; data: { paymentId: string; reason?: string | null } };

export type PaymentCommandType = PaymentCommand['type'];

export const DESCRIPTION_MAX_LENGTH = 500;
/** Also the limit for refund and delete reasons. */
export const REASON_MAX_LENGTH = 500;
export const METADATA_MAX_ENTRIES = 20;
export const METADATA_KEY_MAX_LENGTH = 100;
export const METADATA_VALUE_MAX_LENGTH = 500;

/**
 * Length in Unicode code points, not UTF-16 units: what "characters" means to a client and to
 * Postgres, so an emoji counts once.
 */
export function characterLength(s: string): number {
  const pairs = s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
  return s.length - (pairs?.length ?? 0);
}

/**
 * Errors for an optional free-text field (description, reasons): absent (undefined) and null are
 * fine, otherwise a string of at most `max` characters. Takes `unknown` because input may come
 * from JSON that no type checked.
 */
export function validateOptionalText(value: unknown, path: string, max: number): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string') return [{ path, message: 'must be a string or null' }];
  if (characterLength(value) > max) return [{ path, message: `must be at most ${max} characters` }];
  return [];
}

/** Errors for a description: absent, null, or a string of at most 500 characters. */
export function validateDescription(value: unknown, path = '/description'): FieldError[] {
  return validateOptionalText(value, path, DESCRIPTION_MAX_LENGTH);
}

/**
 * Errors for metadata: absent, or a flat object of at most 20 entries whose keys have 1 to 100
 * characters and whose values are strings of at most 500 characters. Paths point at the offending
 * key ('/metadata/foo', escaped as JSON Pointer).
 */
export function validateMetadata(value: unknown, path = '/metadata'): FieldError[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: 'must be an object of string values' }];
  }
  const entries = Object.entries(value);
  const errors: FieldError[] = [];
  if (entries.length > METADATA_MAX_ENTRIES) {
    errors.push({ path, message: `must have at most ${METADATA_MAX_ENTRIES} entries` });
  }
  for (const [key, entry] of entries) {
    const at = `${path}/${pointerSegment(key)}`;
    if (key.length === 0 || characterLength(key) > METADATA_KEY_MAX_LENGTH) {
      errors.push({ path: at, message: `keys must have 1 to ${METADATA_KEY_MAX_LENGTH} characters` });
    }
    if (typeof entry !== 'string') errors.push({ path: at, message: 'must be a string' });
    else if (characterLength(entry) > METADATA_VALUE_MAX_LENGTH) {
      errors.push({ path: at, message: `must be at most ${METADATA_VALUE_MAX_LENGTH} characters` });
    }
  }
  return errors;
}

/** Errors for a required identifier (payment, organization, user, refund id): a non-empty string. */
export function validateId(value: unknown, path: string): FieldError[] {
  return typeof value === 'string' && value.length > 0 ? [] : [{ path, message: 'must be a non-empty string' }];
}
