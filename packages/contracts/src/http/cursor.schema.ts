import { Type, type TString } from '@sinclair/typebox';

/**
 * A page cursor as a client sends it back: opaque, but always base64url (the query side encodes it
 * so), which settles at the edge what could never be one. What it holds is checked as it is decoded.
 */
export function Cursor(description: string): TString {
  return Type.String({ minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$', description });
}
