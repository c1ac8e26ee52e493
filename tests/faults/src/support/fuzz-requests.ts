import fc from 'fast-check';
import type { FuzzOperation, JsonSchema } from './fuzz-openapi';
import {
  everyHostileValueOf,
  HOSTILE_CLASSES,
  hostileRecipe,
  realize,
  validRecipe,
  type FuzzMemory,
  type Recipe,
} from './fuzz-values';

/**
 * Requests for one operation of an OpenAPI document. A request is valid throughout (it reaches the
 * code behind validation), or valid but for one hostile thing (a parameter, a body field, the token,
 * the content type, the body's shape, a forged cursor, an oversized header...), each in turn, or
 * chaos (every part independently). All three generate recipes, realized against FuzzMemory.
 */

/** One parameter or body field: its valid and hostile candidates, whether an optional one is left out, and its pick in chaos mode. */
interface FieldChoice {
  absent: boolean;
  valid: Recipe;
  hostile: Recipe;
  chaos: 'absent' | 'valid' | 'hostile';
}

/** A body field by its path (`filter.createdFrom`); an object marker keeps a required nested object present. */
type BodyField =
  | { path: string[]; required: boolean; schema: JsonSchema; choice: FieldChoice }
  | { path: string[]; required: boolean; object: true };

export type AuthRecipe =
  | 'admin'
  | 'member'
  | 'stranger'
  | 'none'
  | 'garbage'
  | 'expired'
  | 'other-secret'
  | 'no-exp'
  | 'too-long'
  | 'nul-in-orgs'
  | 'surrogate-in-sub';

type Extra =
  | 'none'
  | 'unknown-query'
  | 'oversized-header'
  | 'long-path-param'
  | 'control-character-header'
  | 'hostile-request-id'
  | 'oversized-query';

/** A body that is not the schema's object: other JSON, malformed text, nothing, or over 64 KiB. */
type BodyShape = { t: 'fields' } | { t: 'json'; value: unknown } | { t: 'raw'; text: string } | { t: 'none' };

/** What a forged cursor does to a real one: one part of its position replaced, or its frame broken. */
interface CursorForgery {
  index: number;
  part: number;
  replacement: unknown;
  frame: 'position' | 'drop-part' | 'extra-part' | 'kind' | 'fingerprint' | 'version';
}

type Mode = 'valid' | 'one-hostile' | 'chaos';

/** The request-level things that can be the one hostile part, beside parameters and body fields. */
const REQUEST_SLOTS = ['auth', 'extra', 'content-type', 'body-shape', 'unexpected-field', 'cursor'] as const;

export interface RequestRecipe {
  mode: Mode;
  /** Which slot is hostile in `one-hostile` mode (modulo the number of slots). */
  target: number;
  parameters: FieldChoice[];
  body: BodyField[];
  hostile: RequestLevel & { unexpected: [string, Recipe]; cursor: CursorForgery };
  chaos: RequestLevel & { unexpected: boolean; cursor: boolean };
}

/** What replaces a part of a real cursor's position. */
const FORGED_CURSOR_PARTS: readonly unknown[] = [
  '9999999999999999999',
  '9223372036854775808',
  '-1',
  '1.5',
  '2026-02-30T00:00:00.000000Z',
  '0000-01-01T00:00:00.000000Z',
  '2016-12-31T23:59:60.000000Z',
  '2026-01-01T00:00:00Z',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '',
  'a\u0000b',
  '\uD800',
  'x'.repeat(1_000),
  1,
  null,
  ['nested'],
];

const HOSTILE_AUTH: AuthRecipe[] = [
  'member',
  'stranger',
  'none',
  'garbage',
  'expired',
  'other-secret',
  'no-exp',
  'too-long',
  'nul-in-orgs',
  'surrogate-in-sub',
];
const HOSTILE_EXTRA: Extra[] = [
  'unknown-query',
  'oversized-header',
  'long-path-param',
  'control-character-header',
  'hostile-request-id',
  'oversized-query',
];
const HOSTILE_CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'application/json; charset=utf-8',
];
const MALFORMED_BODIES = [
  '',
  '{',
  '{"amount":',
  '[',
  'null',
  '""',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":1,"a":2}',
  '\u0000',
  '{"x":"\\ud800"}',
  '{"amount":99999999999999999999999999}',
  ' '.repeat(70_000),
  `{"description":"${'x'.repeat(70_000)}"}`,
];

function fieldChoice(schema: JsonSchema, name: string, inBody: boolean): fc.Arbitrary<FieldChoice> {
  return fc.record({
    // Optional fields are mostly left out: filters that do not fit together (a reversed range, asOf
    // with version) are a 400 before the code behind validation runs.
    absent: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    valid: validRecipe(schema, name),
    hostile: hostileRecipe(name, inBody),
    chaos: fc.constantFrom<FieldChoice['chaos']>('absent', 'valid', 'valid', 'hostile'),
  });
}

/** The fields of a body schema (one branch of a union), nested objects flattened into paths. */
function bodyFields(schema: JsonSchema, prefix: string[] = []): fc.Arbitrary<BodyField[]> {
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {});
  return fc
    .tuple(
      ...properties.map(([key, property]): fc.Arbitrary<BodyField[]> => {
        const path = [...prefix, key];
        if (property.properties)
          return bodyFields(property, path).map((fields): BodyField[] => [
            { path, required: required.has(key), object: true },
            ...fields,
          ]);
        return fieldChoice(property, key, true).map((choice): BodyField[] => [
          { path, required: required.has(key), schema: property, choice },
        ]);
      }),
    )
    .map((groups) => groups.flat());
}

const bodyBranches = (schema: JsonSchema | undefined): JsonSchema[] =>
  schema ? (schema.anyOf ?? schema.oneOf ?? [schema]) : [];

/** A body of the schema, of one branch of a union when `branch` is given. */
function bodyRecipe(schema: JsonSchema | undefined, branch?: number): fc.Arbitrary<BodyField[]> {
  const branches = bodyBranches(schema);
  if (branches.length === 0) return fc.constant([]);
  if (branch !== undefined) return bodyFields(branches[branch % branches.length]!);
  return fc.oneof(...branches.map((each) => bodyFields(each)));
}

const forgery: fc.Arbitrary<CursorForgery> = fc.record({
  index: fc.nat(),
  part: fc.nat(),
  replacement: fc.constantFrom(...FORGED_CURSOR_PARTS),
  frame: fc.oneof(
    { weight: 6, arbitrary: fc.constant<CursorForgery['frame']>('position') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<CursorForgery['frame']>('drop-part', 'extra-part', 'kind', 'fingerprint', 'version'),
    },
  ),
});

const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value): BodyShape => ({ t: 'json', value })),
  fc.constantFrom(...MALFORMED_BODIES).map((text): BodyShape => ({ t: 'raw', text })),
  fc.constant<BodyShape>({ t: 'none' }),
);

/** The request-level parts of a request: the token, extra headers or query, the content type, the body's shape. */
interface RequestLevel {
  auth: AuthRecipe;
  extra: Extra;
  contentType: string | undefined;
  bodyShape: BodyShape;
}

/** The request-level parts of a valid request. */
const VALID: RequestLevel = {
  auth: 'admin',
  extra: 'none',
  contentType: 'application/json',
  bodyShape: { t: 'fields' },
};

const sometimes = <T>(usual: T, other: fc.Arbitrary<T>, weight = 10) =>
  fc.oneof({ weight, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });

/** Requests for one operation, in the three modes (bodies of one branch of a union when `branch` is given). */
export function requestRecipe(operation: FuzzOperation, branch?: number): fc.Arbitrary<RequestRecipe> {
  return fc.record({
    mode: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Mode>('valid') },
      { weight: 5, arbitrary: fc.constant<Mode>('one-hostile') },
      { weight: 2, arbitrary: fc.constant<Mode>('chaos') },
    ),
    target: fc.nat(),
    parameters: fc.tuple(
      ...operation.parameters.map((parameter) => fieldChoice(parameter.schema, parameter.name, false)),
    ),
    body: bodyRecipe(operation.body, branch),
    hostile: fc.record({
      auth: fc.constantFrom(...HOSTILE_AUTH),
      extra: fc.constantFrom(...HOSTILE_EXTRA),
      contentType: fc.constantFrom(...HOSTILE_CONTENT_TYPES),
      bodyShape,
      unexpected: fc.tuple(
        fc.constantFrom('unexpected', '__proto__', 'constructor', 'paymentId', 'version', 'userId'),
        hostileRecipe('unexpected', true),
      ),
      cursor: forgery,
    }),
    chaos: fc.record({
      auth: sometimes<AuthRecipe>('admin', fc.constantFrom(...HOSTILE_AUTH), 6),
      extra: sometimes<Extra>('none', fc.constantFrom(...HOSTILE_EXTRA)),
      contentType: sometimes<string | undefined>('application/json', fc.constantFrom(...HOSTILE_CONTENT_TYPES)),
      bodyShape: sometimes<BodyShape>({ t: 'fields' }, bodyShape, 6),
      unexpected: fc.boolean(),
      cursor: fc.boolean(),
    }),
  });
}

/**
 * Percent-encodes every UTF-16 unit as UTF-8 bytes, lone surrogates included (as their 3-byte
 * WTF-8 form, which a decoder must refuse): encodeURIComponent would throw on those.
 */
function percentEncode(value: string): string {
  let encoded = '';
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    const next = value.charCodeAt(index + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      encoded += encodeURIComponent(value.slice(index, index + 2));
      index += 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      encoded += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      encoded += encodeURIComponent(value[index]!);
    }
  }
  return encoded;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** Header values are written as bytes: CR and LF would end the header, so they become spaces. */
const headerValue = (value: unknown): string => asText(value).replace(/[\r\n]/g, ' ');

/** A real cursor with one thing changed, encoded again. */
function forgeCursor(cursor: string, forged: CursorForgery): string {
  const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
    v?: unknown;
    k?: unknown;
    f?: unknown;
    p?: unknown[];
  };
  const position = Array.isArray(body.p) ? [...body.p] : [];
  switch (forged.frame) {
    case 'position':
      if (position.length > 0) position[forged.part % position.length] = forged.replacement;
      break;
    case 'drop-part':
      position.pop();
      break;
    case 'extra-part':
      position.push(forged.replacement);
      break;
    case 'kind':
      body.k = forged.replacement;
      break;
    case 'fingerprint':
      body.f = forged.replacement;
      break;
    case 'version':
      body.v = forged.replacement;
      break;
    default: {
      const _exhaustive: never = forged.frame;
      return _exhaustive;
    }
  }
  return Buffer.from(JSON.stringify({ ...body, p: position }), 'utf8').toString('base64url');
}

type FieldSlot = `parameter:${number}` | `body:${number}`;
type Slot = FieldSlot | (typeof REQUEST_SLOTS)[number];

const bodyChoicesOf = (recipe: RequestRecipe) =>
  recipe.body.filter((field): field is Extract<BodyField, { choice: FieldChoice }> => 'choice' in field);

/** Everything of a request that can be the hostile one: its parameters, its body fields, and the request-level parts that apply. */
function slotsOf(operation: FuzzOperation, recipe: RequestRecipe): Slot[] {
  const hasCursor = operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'cursor');
  const applies = (slot: (typeof REQUEST_SLOTS)[number]) => {
    if (slot === 'cursor') return hasCursor;
    if (slot === 'auth') return operation.authenticated;
    if (slot === 'extra') return true;
    return operation.body !== undefined;
  };
  return [
    ...operation.parameters.map((_parameter, index): Slot => `parameter:${index}`),
    ...bodyChoicesOf(recipe).map((_field, index): Slot => `body:${index}`),
    ...REQUEST_SLOTS.filter(applies),
  ];
}

/**
 * The systematic part: every parameter and body field (of every branch of a body union) with one
 * value of each hostile class, and every request-level part with each of its hostile values, the
 * rest of each request valid. Deterministic for a seed.
 */
export function sweepRecipes(operation: FuzzOperation, seed: number): RequestRecipe[] {
  const recipes: RequestRecipe[] = [];
  const branches = Math.max(bodyBranches(operation.body).length, 1);
  for (let branch = 0; branch < branches; branch += 1) {
    const [probe] = fc.sample(requestRecipe(operation, branch), { seed: seed + branch, numRuns: 1 });
    const slots = slotsOf(operation, probe!);
    const variants: ((recipe: RequestRecipe) => RequestRecipe)[] = [];
    for (const [target, slot] of slots.entries()) {
      const one = (change: (recipe: RequestRecipe) => void) => (recipe: RequestRecipe) => {
        const copy: RequestRecipe = {
          ...recipe,
          mode: 'one-hostile',
          target,
          parameters: [...recipe.parameters],
          body: [...recipe.body],
          hostile: { ...recipe.hostile },
        };
        change(copy);
        return copy;
      };
      if (slot.startsWith('parameter:') || slot.startsWith('body:')) {
        const index = Number(slot.split(':')[1]);
        const isBody = slot.startsWith('body:');
        const field = isBody ? bodyChoicesOf(probe!)[index]! : undefined;
        const name = field ? (field.path.at(-1) ?? '') : operation.parameters[index]!.name;
        const schema = field ? field.schema : operation.parameters[index]!.schema;
        const hostileValues = HOSTILE_CLASSES.flatMap(
          (hostileClass) =>
            everyHostileValueOf(hostileClass, schema, name) ??
            fc.sample(hostileRecipe(name, isBody, hostileClass), {
              seed: seed + recipes.length + variants.length,
              numRuns: 1,
            }),
        );
        for (const hostile of hostileValues) {
          variants.push(
            one((copy) => {
              if (isBody) {
                const field = bodyChoicesOf(copy)[index]!;
                copy.body[copy.body.indexOf(field)] = { ...field, choice: { ...field.choice, hostile: hostile! } };
              } else copy.parameters[index] = { ...copy.parameters[index]!, hostile: hostile! };
            }),
          );
        }
      } else if (slot === 'auth')
        for (const auth of HOSTILE_AUTH) variants.push(one((copy) => (copy.hostile.auth = auth)));
      else if (slot === 'extra')
        for (const extra of HOSTILE_EXTRA) variants.push(one((copy) => (copy.hostile.extra = extra)));
      else if (slot === 'content-type')
        for (const contentType of HOSTILE_CONTENT_TYPES)
          variants.push(one((copy) => (copy.hostile.contentType = contentType)));
      else if (slot === 'body-shape')
        for (const text of MALFORMED_BODIES)
          variants.push(one((copy) => (copy.hostile.bodyShape = { t: 'raw', text })));
      else if (slot === 'unexpected-field') variants.push(one(() => undefined));
      else if (slot === 'cursor') {
        for (const [part, replacement] of FORGED_CURSOR_PARTS.entries())
          variants.push(one((copy) => (copy.hostile.cursor = { index: part, part, replacement, frame: 'position' })));
        for (const frame of ['drop-part', 'extra-part', 'kind', 'fingerprint', 'version'] as const)
          variants.push(one((copy) => (copy.hostile.cursor = { index: 0, part: 0, replacement: 'x', frame })));
      }
    }
    const bases = fc.sample(requestRecipe(operation, branch), { seed: seed + branch, numRuns: variants.length });
    variants.forEach((variant, index) => recipes.push(variant(bases[index]!)));
  }
  return recipes;
}

export interface RealizedRequest {
  method: string;
  target: string;
  /** The query pairs sent (to remember where a cursor came from). */
  query: [string, string][];
  headers: [string, string][];
  body?: Buffer;
  /** The request carried X-Min-Position (read-your-writes may answer its documented 503). */
  readYourWrites: boolean;
}

function setAt(object: Record<string, unknown>, path: string[], value: unknown): void {
  let at = object;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null)
      Object.defineProperty(at, key, { value: {}, enumerable: true, writable: true, configurable: true });
    at = at[key] as Record<string, unknown>;
  }
  Object.defineProperty(at, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

/** The request a recipe stands for now; `authorization` gives the header of each kind of caller. */
export function realizeRequest(
  operation: FuzzOperation,
  recipe: RequestRecipe,
  memory: FuzzMemory,
  authorization: (auth: AuthRecipe) => string | undefined,
): RealizedRequest {
  const hasCursor = operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'cursor');
  const bodyChoices = bodyChoicesOf(recipe);
  const slots = slotsOf(operation, recipe);
  const hostileSlot = recipe.mode === 'one-hostile' ? slots[recipe.target % slots.length] : undefined;
  /** A field's value under the mode, or undefined when it is left out. */
  const pick = (choice: FieldChoice, required: boolean, slot: string): Recipe | undefined => {
    if (recipe.mode === 'chaos')
      return choice.chaos === 'hostile'
        ? choice.hostile
        : choice.chaos === 'absent' && !required
          ? undefined
          : choice.valid;
    if (slot === hostileSlot) return choice.hostile;
    return choice.absent && !required ? undefined : choice.valid;
  };
  /** A request-level part under the mode: its chaos pick, its hostile value when it is the hostile slot, else the valid one. */
  const level = <K extends keyof RequestLevel>(key: K, slot: string): RequestLevel[K] =>
    recipe.mode === 'chaos' ? recipe.chaos[key] : slot === hostileSlot ? recipe.hostile[key] : VALID[key];

  let path = operation.path;
  let query: [string, string][] = [];
  const headers: [string, string][] = [];
  const extra = level('extra', 'extra');
  const longPathParameter = extra === 'long-path-param';
  operation.parameters.forEach((parameter, index) => {
    const chosen = pick(recipe.parameters[index]!, parameter.required || parameter.in === 'path', `parameter:${index}`);
    if (chosen === undefined) return;
    const value = realize(chosen, memory);
    if (parameter.in === 'path')
      path = path.replace(`{${parameter.name}}`, longPathParameter ? 'a'.repeat(201) : percentEncode(asText(value)));
    else if (parameter.in === 'query')
      for (const item of Array.isArray(value) ? value : [value]) query.push([parameter.name, asText(item)]);
    else headers.push([parameter.name, headerValue(value)]);
  });

  if (hasCursor && (recipe.mode === 'chaos' ? recipe.chaos.cursor : hostileSlot === 'cursor')) {
    const seen = memory.cursors.filter((cursor) => cursor.operationId === operation.id);
    const source = seen[recipe.hostile.cursor.index % Math.max(seen.length, 1)];
    if (source) query = [...source.query, ['cursor', forgeCursor(source.cursor, recipe.hostile.cursor)]];
  }

  const auth = level('auth', 'auth');
  const token = operation.authenticated || auth !== 'admin' ? authorization(auth) : undefined;
  if (token !== undefined) headers.push(['authorization', token]);

  if (extra === 'unknown-query') query.push(['unknownParameter', '1']);
  if (extra === 'oversized-query') query.push(['type', 'q'.repeat(20_000)]);
  if (extra === 'oversized-header') headers.push(['x-padding', 'p'.repeat(20_000)]);
  if (extra === 'control-character-header') headers.push(['x-fuzz', 'a\u0001b\u007f']);
  if (extra === 'hostile-request-id')
    headers.push(['x-request-id', 'é\u0007'.repeat(150)], ['x-correlation-id', '../\u0000'.repeat(100)]);

  let body: Buffer | undefined;
  if (operation.body) {
    const shape = level('bodyShape', 'body-shape');
    if (shape.t === 'fields') {
      const object: Record<string, unknown> = {};
      recipe.body.forEach((field) => {
        if ('object' in field) {
          if (field.required) setAt(object, field.path, {});
          return;
        }
        const chosen = pick(field.choice, field.required, `body:${bodyChoices.indexOf(field)}`);
        if (chosen !== undefined) setAt(object, field.path, realize(chosen, memory));
      });
      if (recipe.mode === 'chaos' ? recipe.chaos.unexpected : hostileSlot === 'unexpected-field')
        setAt(object, [recipe.hostile.unexpected[0]], realize(recipe.hostile.unexpected[1], memory));
      body = Buffer.from(JSON.stringify(object), 'utf8');
    } else if (shape.t === 'json') body = Buffer.from(JSON.stringify(shape.value) ?? 'null', 'utf8');
    else if (shape.t === 'raw') body = Buffer.from(shape.text, 'utf8');
    const contentType = level('contentType', 'content-type');
    if (body !== undefined && contentType !== undefined) headers.push(['content-type', contentType]);
  }

  const search = query.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
  return {
    method: operation.method,
    target: `${path}${search ? `?${search}` : ''}`,
    query,
    headers,
    ...(body !== undefined ? { body } : {}),
    readYourWrites: headers.some(([name]) => name === 'x-min-position'),
  };
}
