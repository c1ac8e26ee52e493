import { DomainError, isDomainError, pointerSegment, validationError } from './errors';

describe('DomainError', () => {
  it('carries a code, a message, field errors and its name', () => {
    const e = new DomainError('CONFLICT', 'payment p already exists');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'DomainError', code: 'CONFLICT', message: 'payment p already exists', errors: [] });
  });

  it('is recognised by instance and, after serialization, by shape', () => {
    expect(isDomainError(new DomainError('NOT_FOUND', 'x'))).toBe(true);
    const wire = JSON.parse(
      JSON.stringify({ name: 'DomainError', code: 'VALIDATION', message: 'm', errors: [] }),
    ) as unknown;
    expect(isDomainError(wire)).toBe(true);
  });

  it.each([
    null,
    undefined,
    'DomainError',
    new Error('x'),
    { name: 'DomainError', code: 'TEAPOT' },
    { name: 'Error', code: 'CONFLICT' },
  ])('is not fooled by %p', (value) => {
    expect(isDomainError(value)).toBe(false);
  });

  it('validationError joins the field messages unless given a message', () => {
    const errors = [
      { path: '/amount', message: 'must be positive' },
      { path: '/currency', message: 'unknown' },
    ];
    expect(validationError(errors)).toMatchObject({
      code: 'VALIDATION',
      message: '/amount: must be positive; /currency: unknown',
      errors,
    });
    expect(validationError(errors, 'bad input').message).toBe('bad input');
  });

  it('escapes JSON Pointer segments', () => {
    expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
  });
});
