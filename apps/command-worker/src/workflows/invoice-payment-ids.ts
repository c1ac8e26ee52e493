/*
 * The ids of an invoice's payment attempts: UUIDv5 (RFC 9562) of (invoice, attempt) in a namespace
 * of the invoice payment process. Workflow code has no `crypto` (the sandbox is deterministic), so
 * SHA-1 is computed here in plain TypeScript; the unit spec checks it against the uuid package.
 */

/** Namespace of payment and command ids derived from an invoice's attempts (a fixed, random UUID). */
export const INVOICE_PAYMENT_NAMESPACE = '8d6f2c1e-5b4a-4f7e-9c3d-1a2b3c4d5e6f';

/** The payment of attempt `attempt` (from 1) of an invoice: retried steps name the same payment. */
export const invoicePaymentId = (invoiceId: string, attempt: number): string =>
  uuidV5(`invoice-payment:${invoiceId}:${attempt}`, INVOICE_PAYMENT_NAMESPACE);

/** The payment command that makes that payment: its workflow id derives from it, so it runs once. */
export const invoicePaymentCommandId = (invoiceId: string, attempt: number): string =>
  uuidV5(`invoice-payment-command:${invoiceId}:${attempt}`, INVOICE_PAYMENT_NAMESPACE);

/** A step of the process that is not a payment (suspending, reinstating): the id its events derive from. */
export const invoiceStepCommandId = (invoiceId: string, step: string): string =>
  uuidV5(`invoice-step:${invoiceId}:${step}`, INVOICE_PAYMENT_NAMESPACE);

/** UUIDv5 of a name in a namespace. */
export function uuidV5(name: string, namespace: string): string {
  const bytes = sha1([...uuidBytes(namespace), ...utf8(name)]).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidBytes(uuid: string): number[] {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`not a UUID: ${uuid}`);
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

function utf8(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else
      bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return bytes;
}

/** SHA-1 (FIPS 180-4) of a byte array: 20 bytes. */
function sha1(message: number[]): number[] {
  const bitLength = message.length * 8;
  const padded = [...message, 0x80];
  while (padded.length % 64 !== 56) padded.push(0);
  for (let shift = 56; shift >= 0; shift -= 8)
    padded.push(shift >= 32 ? Math.floor(bitLength / 2 ** shift) & 0xff : (bitLength >>> shift) & 0xff);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Array<number>(80);
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i += 1) {
      const j = offset + i * 4;
      w[i] = (padded[j]! << 24) | (padded[j + 1]! << 16) | (padded[j + 2]! << 8) | padded[j + 3]!;
    }
    for (let i = 16; i < 80; i += 1) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let [a, b, c, d, e] = [h0, h1, h2, h3, h4];
    for (let i = 0; i < 80; i += 1) {
      const [f, k] =
        i < 20
          ? [(b & c) | (~b & d), 0x5a827999]
          : i < 40
            ? [b ^ c ^ d, 0x6ed9eba1]
            : i < 60
              ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
              : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return [h0, h1, h2, h3, h4].flatMap((h) => [(h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff]);
}
