import { interpolate } from './compose-interpolation';

describe("Compose's interpolation", () => {
  const variables = { SET: 'value', EMPTY: '', OTHER: 'other' };

  it.each([
    ['plain text', 'plain text'],
    ['$SET and ${SET}', 'value and value'],
    ['${UNSET}|$UNSET', '|'],
    ['${SET:-fallback} ${EMPTY:-fallback} ${UNSET:-fallback}', 'value fallback fallback'],
    ['${SET-fallback} [${EMPTY-fallback}] ${UNSET-fallback}', 'value [] fallback'],
    ['${SET:+on} [${EMPTY:+on}] [${UNSET:+on}]', 'on [] []'],
    ['${SET+on} ${EMPTY+on} [${UNSET+on}]', 'on on []'],
    ['${UNSET:-${OTHER}} ${UNSET:-${ALSO_UNSET:-deep}}', 'other deep'],
    ['$$SET costs $$5', '$SET costs $5'],
    ['redis://redis:6379', 'redis://redis:6379'],
    ['${JWT_SECRET-gyroscops-development-only-secret}', 'gyroscops-development-only-secret'],
  ])('%s → %s', (text, expected) => {
    expect(interpolate(text, variables)).toBe(expected);
  });

  it('fails on required variables that are missing, and on malformed expressions', () => {
    expect(() => interpolate('${UNSET:?set it}', variables)).toThrow(
      'required variable UNSET is missing a value: set it',
    );
    expect(() => interpolate('${EMPTY:?set it}', variables)).toThrow('required variable EMPTY');
    expect(interpolate('[${EMPTY?set it}]', variables)).toBe('[]');
    expect(() => interpolate('${UNSET?set it}', variables)).toThrow('required variable UNSET');
    expect(() => interpolate('${SET', variables)).toThrow('unterminated');
    expect(() => interpolate('${1BAD}', variables)).toThrow('invalid interpolation format');
    expect(() => interpolate('${SET*x}', variables)).toThrow('invalid interpolation format');
    expect(() => interpolate('costs $5', variables)).toThrow('invalid interpolation format');
  });
});
