import { ApplicationError } from '@gyroscops/platform';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor';

describe('opaque cursors', () => {
  const fingerprint = queryFingerprint('payments', { organizationId: 'org-1', sort: 'createdAt', order: 'asc' });

  it('round-trip the keyset position, as base64url', () => {
    const cursor = encodeCursor('payments', fingerprint, ['2026-01-01T00:00:00.000001Z', 'id']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'payments', fingerprint)).toEqual(['2026-01-01T00:00:00.000001Z', 'id']);
  });

  it('fingerprints canonical parameters: key order does not matter, values do', () => {
    expect(queryFingerprint('payments', { order: 'asc', sort: 'createdAt', organizationId: 'org-1' })).toBe(fingerprint);
    expect(queryFingerprint('payments', { organizationId: 'org-1', sort: 'createdAt', order: 'desc' })).not.toBe(fingerprint);
    expect(queryFingerprint('events', { organizationId: 'org-1', sort: 'createdAt', order: 'asc' })).not.toBe(fingerprint);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 of text', Buffer.from('hello').toString('base64url')],
    ['another version', Buffer.from(JSON.stringify({ v: 2, k: 'payments', f: 'x', p: [] })).toString('base64url')],
    ['a position of numbers', Buffer.from(JSON.stringify({ v: 1, k: 'payments', f: 'x', p: [1] })).toString('base64url')],
  ])('refuse %s with a 400 on querystring:/cursor', (_name, cursor) => {
    const attempt = () => decodeCursor(cursor, 'payments', fingerprint);
    expect(attempt).toThrow(ApplicationError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'VALIDATION', errors: [{ path: 'querystring:/cursor', message: expect.any(String) }] }));
  });

  it('refuse a cursor of another query kind or other filters', () => {
    const other = encodeCursor('events', fingerprint, ['1']);
    expect(() => decodeCursor(other, 'payments', fingerprint)).toThrow(/another kind/);
    const filtered = encodeCursor('payments', queryFingerprint('payments', { sort: 'amount' }), ['EUR', '1', 'id']);
    expect(() => decodeCursor(filtered, 'payments', fingerprint)).toThrow(/other filters/);
  });
});
