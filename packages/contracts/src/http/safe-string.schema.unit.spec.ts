import { isSafeString, SAFE_STRING_PATTERN, SafeString } from './safe-string.schema';

describe('safe strings', () => {
  it('accept any Unicode text, astral characters and other control characters included', () => {
    for (const value of [
      '',
      'plain',
      'é',
      'emoji \u{1F600}',
      'tab\there',
      '\u0001\u001f\u007f',
      '\uFFFF',
      'a'.repeat(10_000),
    ]) {
      expect([value.slice(0, 20), isSafeString(value)]).toEqual([value.slice(0, 20), true]);
    }
  });

  it('refuse U+0000 and lone surrogates, wherever they are', () => {
    for (const value of ['\u0000', 'a\u0000b', '\uD800', 'x\uDC00', '\uDBFF\uDBFF', 'ok\uD83D', '\uDE00ok']) {
      expect([JSON.stringify(value), isSafeString(value)]).toEqual([JSON.stringify(value), false]);
    }
    expect(isSafeString(42)).toBe(false);
  });

  it('carry the rule as a JSON Schema pattern, next to their own bounds', () => {
    expect(SafeString({ minLength: 1, maxLength: 100 })).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: SAFE_STRING_PATTERN,
    });
  });
});
