/**
 * The API compatibility check of `npm run check:api` (scripts/check-api-compat.mjs, oasdiff) on
 * altered copies of the released command-api document: a removed route, a new required request field
 * or a lower version fail while the major version stays; an optional field, a new route with a minor
 * bump (how billing routes arrive) pass; a major bump allows breaking changes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const RELEASED = join(__dirname, '..', 'openapi', 'released', 'command-api.json');
/** The first run on a machine builds oasdiff with `go install` (about a minute, longer on a busy machine). */
const FIRST_RUN_TIMEOUT_MS = 15 * 60_000;

type Document = {
  info: { version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }>;
        };
      }
    >
  >;
};

let workDir: string;
let runs = 0;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'api-compat-'));
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const released = (): Document => JSON.parse(readFileSync(RELEASED, 'utf8')) as Document;

/** Runs the check with `document` as the current command-api document against the released one. */
function check(document: Document): Promise<{ code: number | null; output: string }> {
  const dir = join(workDir, `run-${++runs}`);
  mkdirSync(join(dir, 'current'), { recursive: true });
  mkdirSync(join(dir, 'released'));
  writeFileSync(join(dir, 'released', 'command-api.json'), readFileSync(RELEASED));
  writeFileSync(join(dir, 'current', 'command-api.json'), JSON.stringify(document, null, 2));
  const args = [
    join(ROOT, 'scripts', 'check-api-compat.mjs'),
    '--current',
    join(dir, 'current'),
    '--released',
    join(dir, 'released'),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The JSON body schema of POST /payments, to change in place. */
const createPaymentBody = (document: Document) =>
  document.paths['/payments']!.post!.requestBody!.content['application/json']!.schema;

const withVersion = (document: Document, version: string): Document => ({
  ...document,
  info: { ...document.info, version },
});

function withoutRefunds(): Document {
  const document = released();
  delete document.paths['/payments/{paymentId}/refunds'];
  return document;
}

it(
  'passes the released document unchanged',
  async () => {
    const { code, output } = await check(released());
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('No changes detected') });
  },
  FIRST_RUN_TIMEOUT_MS,
);

it('fails a removed route without a major bump, naming it', async () => {
  const { code, output } = await check(withoutRefunds());
  expect(code).toBe(1);
  expect(output).toContain('api-path-removed-without-deprecation');
  expect(output).toContain('POST /payments/{paymentId}/refunds');
  expect(output).toMatch(/Breaking API changes without a major version bump in command-api/);
});

it('fails a removed route with only a minor bump', async () => {
  const { code, output } = await check(withVersion(withoutRefunds(), '1.1.0'));
  expect(code).toBe(1);
  expect(output).toContain('api-path-removed-without-deprecation');
});

it('fails a new required request field', async () => {
  const document = released();
  const body = createPaymentBody(document);
  body.properties.reference = { type: 'string' };
  body.required = [...body.required, 'reference'];
  const { code, output } = await check(document);
  expect(code).toBe(1);
  expect(output).toContain('new-required-request-property');
  expect(output).toContain('reference');
});

it('passes a new optional request field', async () => {
  const document = released();
  createPaymentBody(document).properties.reference = { type: 'string', maxLength: 100 };
  const { code, output } = await check(document);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('No breaking changes') });
});

it('passes a new route with a minor bump, as billing routes arrive', async () => {
  const document = withVersion(released(), '1.1.0');
  document.paths['/invoices/{invoiceId}'] = structuredClone(released().paths['/commands/{commandId}']!);
  const { code, output } = await check(document);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('No breaking changes') });
});

it('passes breaking changes that come with a major bump, still listing them', async () => {
  const { code, output } = await check(withVersion(withoutRefunds(), '2.0.0'));
  expect(code).toBe(0);
  expect(output).toContain('api-path-removed-without-deprecation');
  expect(output).toContain('1.0.0 (released) -> 2.0.0');
});

it('fails a version lower than the released one', async () => {
  const { code, output } = await check(withVersion(released(), '0.9.0'));
  expect(code).toBe(1);
  expect(output).toContain('the version went down');
});
