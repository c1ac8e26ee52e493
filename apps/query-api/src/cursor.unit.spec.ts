import { ApplicationError } from '@gyroscops/platform';
import { decodeCursor, encodeCursor, queryFingerprint, type CursorField } from './cursor';

describe('opaque cursors', () => {
  const fingerprint = queryFingerprint('payments', { organizationId: 'org-1', sort: 'createdAt', order: 'asc' });

  it('round-trip the keyset position, as base64url', () => {
    const key = ['2026-01-01T00:00:00.000001Z', '3202c11a-6b1f-4a34-9c4e-2f4b8a1d0e55'];
    const cursor = encodeCursor('payments', fingerprint, key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'payments', fingerprint, ['instant', 'uuid'])).toEqual(key);
  });

  it('fingerprints canonical parameters: key order does not matter, values do', () => {
    expect(queryFingerprint('payments', { order: 'asc', sort: 'createdAt', organizationId: 'org-1' })).toBe(
      fingerprint,
    );
    expect(queryFingerprint('payments', { organizationId: 'org-1', sort: 'createdAt', order: 'desc' })).not.toBe(
      fingerprint,
    );
    expect(queryFingerprint('events', { organizationId: 'org-1', sort: 'createdAt', order: 'asc' })).not.toBe(
      fingerprint,
    );
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 of text', Buffer.from('hello').toString('base64url')],
    ['another version', Buffer.from(JSON.stringify({ v: 2, k: 'payments', f: 'x', p: [] })).toString('base64url')],
    [
      'a position of numbers',
      Buffer.from(JSON.stringify({ v: 1, k: 'payments', f: 'x', p: [1] })).toString('base64url'),
    ],
  ])('refuse %s with a 400 on querystring:/cursor', (_name, cursor) => {
    const attempt = () => decodeCursor(cursor, 'payments', fingerprint, ['position']);
    expect(attempt).toThrow(ApplicationError);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        errors: [{ path: 'querystring:/cursor', message: expect.any(String) }],
      }),
    );
  });

  it('refuse a cursor of another query kind or other filters', () => {
    const other = encodeCursor('events', fingerprint, ['1']);
    expect(() => decodeCursor(other, 'payments', fingerprint, ['position'])).toThrow(/another kind/);
    const filtered = encodeCursor('payments', queryFingerprint('payments', { sort: 'amount' }), ['EUR', '1', 'id']);
    expect(() => decodeCursor(filtered, 'payments', fingerprint, ['currency', 'minor-units', 'uuid'])).toThrow(
      /other filters/,
    );
  });

  describe('a forged position, decoded from a real cursor, changed and encoded again, is a 400 before any SQL', () => {
    const id = '3202c11a-6b1f-4a34-9c4e-2f4b8a1d0e55';
    const forge = (position: string[]) => encodeCursor('payments', fingerprint, position);

    it.each<[string, string[], readonly CursorField[]]>([
      ['an event position past int8', ['9999999999999999999'], ['position']],
      ['an event position of 20 digits', ['12345678901234567890'], ['position']],
      ['a negative event position', ['-1'], ['position']],
      ['an amount past int8', ['EUR', '9999999999999999999', id], ['currency', 'minor-units', 'uuid']],
      ['an amount with decimals', ['EUR', '1.5', id], ['currency', 'minor-units', 'uuid']],
      ['February 30', ['2026-02-30T00:00:00.000000Z', id], ['instant', 'uuid']],
      ['year 0', ['0000-01-01T00:00:00.000000Z', id], ['instant', 'uuid']],
      ['a leap second', ['2016-12-31T23:59:60.000000Z', id], ['instant', 'uuid']],
      ['an instant without microseconds', ['2026-01-01T00:00:00Z', id], ['instant', 'uuid']],
      ['an upper-case payment id', ['2026-01-01T00:00:00.000000Z', id.toUpperCase()], ['instant', 'uuid']],
      ['an unknown status', ['lost', '2026-01-01T00:00:00.000000Z', id], ['payment-status', 'instant', 'uuid']],
      ['a lower-case currency', ['eur', '100', id], ['currency', 'minor-units', 'uuid']],
      ['a part too many', ['2026-01-01T00:00:00.000000Z', id, 'x'], ['instant', 'uuid']],
      ['a part too few', ['2026-01-01T00:00:00.000000Z'], ['instant', 'uuid']],
    ])('%s', (_name, position, fields) => {
      expect(() => decodeCursor(forge(position), 'payments', fingerprint, fields)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          errors: [{ path: 'querystring:/cursor', message: 'its position does not fit this query' }],
        }),
      );
    });

    it('the largest values that fit pass', () => {
      expect(decodeCursor(forge(['9223372036854775807']), 'payments', fingerprint, ['position'])).toEqual([
        '9223372036854775807',
      ]);
      expect(
        decodeCursor(forge(['JPY', '9223372036854775807', id]), 'payments', fingerprint, [
          'currency',
          'minor-units',
          'uuid',
        ]),
      ).toHaveLength(3);
      expect(
        decodeCursor(forge(['refunded', '9999-12-31T23:59:59.999999Z', id]), 'payments', fingerprint, [
          'payment-status',
          'instant',
          'uuid',
        ]),
      ).toHaveLength(3);
    });
  });
});
