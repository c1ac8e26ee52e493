import fc from 'fast-check';
import type { JsonSchema } from './fuzz-openapi';

/**
 * Values for one field of a request, valid (so the request gets past validation and reaches the
 * code behind it) or hostile (impossible dates, ids in every case, numbers past 64 bits, NUL bytes,
 * lone surrogates, control characters, oversized values, wrong JSON types).
 *
 * Arbitraries generate recipes, not values: ids and versions the services hand out are only known
 * while the test runs, so a recipe names "the n-th known paymentId, upper-cased" and `realize`
 * resolves it against what the fuzzer has seen so far (FuzzMemory).
 */

/** How a known id is spelled: as handed out, or in another case or form that names the same UUID. */
type IdVariant = 'as-is' | 'upper' | 'mixed' | 'braces' | 'urn' | 'no-dashes' | 'padded' | 'trailing-newline';
const ID_VARIANTS: IdVariant[] = [
  'as-is',
  'upper',
  'mixed',
  'braces',
  'urn',
  'no-dashes',
  'padded',
  'trailing-newline',
];

export type Recipe =
  | { t: 'lit'; v: unknown }
  | { t: 'known'; name: string; index: number; variant: IdVariant; fallback: unknown }
  | { t: 'obj'; fields: [string, Recipe][] }
  | { t: 'arr'; items: Recipe[] };

const LONE_SURROGATES = ['\uD800', 'a\uDBFFb', '\uDC00', 'x\uDFFF'];
const CONTROL = [
  'a\u0000b',
  '\u0000',
  'tab\there',
  '\u0001\u0002\u001b[31m',
  '\u007f',
  'line\nbreak',
  'cr\rhere',
  '\u2028\u2029',
  '\uFEFF',
  '\uFFFF',
  '\u{10FFFF}',
  'e\u0301',
  '\u{1F600}',
];
const NUMBERS_PAST_64_BITS = [
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '99999999999999999999999',
  '-9223372036854775809',
  '1e400',
  '-1',
  '0',
  '-0',
  '1.5',
  '2147483648',
  '4294967296',
  '0x10',
  'NaN',
  'Infinity',
  '1e3',
  '00001',
];
const DATES = [
  '2016-12-31T23:59:60Z',
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00.000000Z',
  '2026-02-30',
  '2026-02-30T00:00:00Z',
  '2026-02-30T00:00:00.000000Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T00:00:00+24:00',
  '2026-01-01 00:00:00Z',
  '2026-01-01T00:00:00',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '10000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-01-01T00:00:00.1234567890Z',
  '2026-06-15T12:00:00-23:59',
];
const TEXT = [
  '',
  ' ',
  '%',
  '%00',
  '%zz',
  '../../etc/passwd',
  "' OR 1=1 --",
  '"quoted"',
  '__proto__',
  'constructor',
  'null',
  'true',
  '[]',
  '{}',
  '<script>',
  'é',
  'ÿ',
  'org-elsewhere',
];
const IDS = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  'g0000000-0000-0000-0000-000000000000',
  '0000000-0000-0000-0000-000000000000',
  'urn:uuid:00000000-0000-4000-8000-000000000000',
];
const OVERSIZED = ['a'.repeat(201), 'a'.repeat(501), 'a'.repeat(2049), 'é'.repeat(5_000), '\u{1F600}'.repeat(3_000)];

/** JSON values of the wrong type for any body field. */
const WRONG_JSON: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 64,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER + 2,
  [],
  [null],
  {},
  { nested: { deeper: [1, { x: 'y' }] } },
  ['a', 'b'],
];

const lit = (value: unknown): Recipe => ({ t: 'lit', v: value });

/** Known values that feed a field of another name, and how they are written there. */
const ALIASES: Record<string, { from: string; write?: (value: string) => string }> = {
  'x-min-position': { from: 'position' },
  'if-match': { from: 'version', write: (value) => `"${value}"` },
  minAmount: { from: 'amount' },
  maxAmount: { from: 'amount' },
  createdFrom: { from: 'createdAt' },
  createdTo: { from: 'createdAt' },
  asOf: { from: 'updatedAt' },
  from: { from: 'createdAt' },
  to: { from: 'updatedAt' },
};

const SAFE_STRING_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';
const RECENT = { min: new Date('2024-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true };

const typesOf = (schema: JsonSchema): string[] =>
  Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = Math.max(schema.minLength ?? 0, 1);
  const maxLength = Math.max(Math.min(schema.maxLength ?? 40, 40), minLength);
  if (schema.examples?.length) return fc.constantFrom(...schema.examples.map(String));
  if (schema.format === 'date-time')
    return fc
      .tuple(fc.date(RECENT), fc.boolean())
      .map(([date, offset]) => (offset ? date.toISOString().replace('Z', '+02:00') : date.toISOString()));
  if (schema.format === 'date') return fc.date(RECENT).map((date) => date.toISOString().slice(0, 10));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern === undefined || schema.pattern === SAFE_STRING_PATTERN)
    return fc.string({ unit: 'grapheme-ascii', minLength, maxLength });
  return fc
    .stringMatching(new RegExp(schema.pattern, 'u'), { maxLength })
    .filter((value) => value.length >= (schema.minLength ?? 0) && value.length <= (schema.maxLength ?? Infinity));
}

/**
 * Valid values for a schema: what the services handed out under the field's name when there is
 * something (resolved when the request is made), else generated from the schema's type, format,
 * pattern, examples, enum and bounds.
 */
export function validRecipe(schema: JsonSchema, name: string): fc.Arbitrary<Recipe> {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length) return fc.oneof(...branches.map((branch) => validRecipe(branch, name)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum).map(lit);
  if (schema.const !== undefined) return fc.constant(lit(schema.const));
  const type = typesOf(schema).find((each) => each !== 'null') ?? (schema.properties ? 'object' : 'string');
  switch (type) {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 1_000, min + 1_000) }).map(lit);
    }
    case 'boolean':
      return fc.boolean().map(lit);
    case 'array':
      return fc
        .array(validRecipe(schema.items ?? {}, name), {
          minLength: Math.max(schema.minItems ?? 0, 1),
          maxLength: Math.min(schema.maxItems ?? 3, 3),
        })
        .map((items): Recipe => ({ t: 'arr', items }));
    case 'object':
      return validObject(schema);
    default:
      return validString(schema).chain((fallback) =>
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.nat().map((index): Recipe => ({ t: 'known', name, index, variant: 'as-is', fallback })),
          },
          { weight: 1, arbitrary: fc.constant(lit(fallback)) },
        ),
      );
  }
}

function validObject(schema: JsonSchema): fc.Arbitrary<Recipe> {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) {
    // A map (metadata): a few entries of valid values.
    const values =
      typeof schema.additionalProperties === 'object'
        ? schema.additionalProperties
        : (Object.values(schema.patternProperties ?? {})[0] ?? { type: 'string', maxLength: 20 });
    return fc
      .array(fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 10 }), validRecipe(values, '')), {
        maxLength: 3,
      })
      .map((fields): Recipe => ({ t: 'obj', fields }));
  }
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([key, property]) => {
    const value = validRecipe(property, key).map((recipe): [string, Recipe] => [key, recipe]);
    return required.has(key) ? value : fc.option(value, { freq: 2, nil: undefined });
  });
  return fc.tuple(...fields).map((entries): Recipe => ({
    t: 'obj',
    fields: entries.filter((entry): entry is [string, Recipe] => entry !== undefined),
  }));
}

/** The kinds of hostile value every field gets, each in turn (see `hostileRecipe`). */
export const HOSTILE_CLASSES = [
  'lone-surrogate',
  'control',
  'number',
  'date',
  'text',
  'id',
  'oversized',
  'respelled-id',
  'wrong-json',
  'binary',
] as const;
export type HostileClass = (typeof HOSTILE_CLASSES)[number];

/**
 * Hostile values for one field, of one class or of any: lone surrogates, NUL and other control
 * characters, numbers past 64 bits, impossible dates, odd text, malformed ids, oversized strings,
 * known ids respelled (upper case, braces, urn:...), wrong JSON types (bodies only), random code points.
 */
export function hostileRecipe(name: string, inBody: boolean, only?: HostileClass): fc.Arbitrary<Recipe> {
  const respelled = (of: string, fallback: unknown) =>
    fc
      .record({ index: fc.nat(), variant: fc.constantFrom(...ID_VARIANTS) })
      .map(({ index, variant }): Recipe => ({ t: 'known', name: of, index, variant, fallback }));
  const byClass: Record<HostileClass, fc.Arbitrary<Recipe>> = {
    'lone-surrogate': fc.constantFrom(...LONE_SURROGATES).map(lit),
    control: fc.constantFrom(...CONTROL).map(lit),
    number: fc.constantFrom(...NUMBERS_PAST_64_BITS).map(lit),
    date: fc.constantFrom(...DATES).map(lit),
    text: fc.constantFrom(...TEXT).map(lit),
    id: fc.constantFrom(...IDS).map(lit),
    oversized: fc.constantFrom(...OVERSIZED).map(lit),
    'respelled-id': fc.oneof(respelled('paymentId', IDS[0]), respelled(name, IDS[0])),
    // Outside a body every value is text: a wrong JSON type is its JSON text there.
    'wrong-json': fc.constantFrom(...WRONG_JSON).map((value) => lit(inBody ? value : JSON.stringify(value))),
    binary: fc.string({ unit: 'binary', maxLength: 30 }).map(lit),
  };
  return only ? byClass[only] : fc.oneof(...HOSTILE_CLASSES.map((each) => byClass[each]));
}

const CLASS_VALUES: Partial<Record<HostileClass, readonly string[]>> = {
  'lone-surrogate': LONE_SURROGATES,
  control: CONTROL,
  number: NUMBERS_PAST_64_BITS,
  date: DATES,
  id: IDS,
};

const formatsOf = (schema: JsonSchema): string[] =>
  [schema.format, ...(schema.anyOf ?? schema.oneOf ?? []).map((branch) => branch.format)].filter(
    (format): format is string => format !== undefined,
  );

/**
 * Every value of a class that matters most for a field, rather than one: all the impossible dates
 * for an instant, all the malformed ids for an id, all the big numbers for a number or digits, all
 * the NUL bytes, control characters and lone surrogates for free text. Undefined: one value will do.
 */
export function everyHostileValueOf(
  hostileClass: HostileClass,
  schema: JsonSchema,
  name: string,
): Recipe[] | undefined {
  const formats = formatsOf(schema);
  const relevant: Record<HostileClass, boolean> = {
    date: formats.includes('date') || formats.includes('date-time'),
    id: formats.includes('uuid') || /Id$/.test(name),
    number:
      typesOf(schema).some((type) => type === 'integer' || type === 'number') || (schema.pattern ?? '').includes('\\d'),
    'lone-surrogate':
      typesOf(schema).includes('string') &&
      formats.length === 0 &&
      (schema.pattern === undefined || schema.pattern === SAFE_STRING_PATTERN),
    control:
      typesOf(schema).includes('string') &&
      formats.length === 0 &&
      (schema.pattern === undefined || schema.pattern === SAFE_STRING_PATTERN),
    text: false,
    oversized: false,
    'respelled-id': false,
    'wrong-json': false,
    binary: false,
  };
  const values = CLASS_VALUES[hostileClass];
  return relevant[hostileClass] && values ? values.map(lit) : undefined;
}

const MAX_KNOWN_PER_NAME = 50;

/** A query that answered a `nextCursor`, to forge cursors from. */
export interface SeenCursor {
  operationId: string;
  query: [string, string][];
  cursor: string;
}

/** Values the services handed out, by field name, and the cursors they answered. */
export class FuzzMemory {
  private readonly known = new Map<string, string[]>();
  readonly cursors: SeenCursor[] = [];

  remember(name: string, value: string): void {
    if (value.length === 0 || value.length > 200) return;
    const values = this.known.get(name) ?? [];
    if (values.includes(value)) return;
    values.push(value);
    if (values.length > MAX_KNOWN_PER_NAME) values.shift();
    this.known.set(name, values);
  }

  /** Every string and integer of a JSON answer, under its property name (nested objects too). */
  harvest(value: unknown, name = ''): void {
    if (typeof value === 'string') this.remember(name, value);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) this.remember(name, String(value));
    else if (Array.isArray(value)) for (const item of value) this.harvest(item, name);
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) if (key !== 'csv') this.harvest(item, key);
  }

  valuesOf(name: string): string[] {
    const alias = ALIASES[name];
    const own = this.known.get(name) ?? [];
    if (own.length > 0 || !alias) return own;
    return (this.known.get(alias.from) ?? []).map((value) => alias.write?.(value) ?? value);
  }
}

function respell(id: string, variant: IdVariant): string {
  switch (variant) {
    case 'as-is':
      return id;
    case 'upper':
      return id.toUpperCase();
    case 'mixed':
      return [...id].map((char, index) => (index % 2 === 0 ? char.toUpperCase() : char.toLowerCase())).join('');
    case 'braces':
      return `{${id}}`;
    case 'urn':
      return `urn:uuid:${id}`;
    case 'no-dashes':
      return id.replace(/-/g, '');
    case 'padded':
      return ` ${id} `;
    case 'trailing-newline':
      return `${id}\n`;
    default: {
      const _exhaustive: never = variant;
      return _exhaustive;
    }
  }
}

/** The value a recipe stands for now. */
export function realize(recipe: Recipe, memory: FuzzMemory): unknown {
  switch (recipe.t) {
    case 'lit':
      return recipe.v;
    case 'known': {
      const values = memory.valuesOf(recipe.name);
      const value = values.length > 0 ? values[recipe.index % values.length] : recipe.fallback;
      return typeof value === 'string' ? respell(value, recipe.variant) : value;
    }
    case 'obj': {
      // Built with defineProperty: "__proto__" stays a plain key, as a client could send it.
      const object: Record<string, unknown> = {};
      for (const [key, value] of recipe.fields)
        Object.defineProperty(object, key, {
          value: realize(value, memory),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return object;
    }
    case 'arr':
      return recipe.items.map((item) => realize(item, memory));
    default: {
      const _exhaustive: never = recipe;
      return _exhaustive;
    }
  }
}
