/**
 * @gyroscops/api-client as a frontend installs it: `npm pack` of the built package (so it sees what
 * `turbo run build`, the first step of `npm test`, built; after changing the package, build before
 * running this file alone), unpacked into a fresh node_modules next to openapi-fetch. The CommonJS
 * build is required and the ES module build imported by Node, each making a request through its
 * client; TypeScript type-checks a consumer of each (Node16 resolution, .cts and .mts, and a bundler's
 * resolution), with a wrong path and a wrong body refused. The tarball holds the builds, their types,
 * the sources they map to and the OpenAPI documents, and no tests.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGE_DIR = join(__dirname, '..');
const ROOT = join(PACKAGE_DIR, '..', '..');
const TSC = require.resolve('typescript/bin/tsc');

let consumer: string;
let packedFiles: string[];

beforeAll(async () => {
  consumer = mkdtempSync(join(tmpdir(), 'api-client-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', consumer], {
    cwd: PACKAGE_DIR,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed!.files.map((file) => file.path).sort();
  const installed = join(consumer, 'node_modules', '@gyroscops', 'api-client');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', join(consumer, packed!.filename), '-C', installed, '--strip-components=1']);
  // The package's one dependency, as the workspace installed it (it finds its own dependency from there).
  symlinkSync(
    dirname(require.resolve('openapi-fetch/package.json')),
    join(consumer, 'node_modules', 'openapi-fetch'),
    'dir',
  );
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 120_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

/** Calls GET /commands/{commandId} through the client with a fetch that answers in memory, printing what the request carried. */
const clientScript = (load: string) => `
${load}
const client = createCommandApiClient({
  baseUrl: 'http://api.example',
  token: () => 'a-token',
  fetch: async (request) => {
    console.log(JSON.stringify({ url: request.url, authorization: request.headers.get('authorization') }));
    return new Response(JSON.stringify({ commandId: 'c-1', state: 'running' }), { headers: { 'content-type': 'application/json' } });
  },
});
const { data } = await client.GET('/commands/{commandId}', { params: { path: { commandId: 'c-1' } } });
console.log(JSON.stringify(data));
`;

async function runScript(file: string, source: string): Promise<string[]> {
  writeFileSync(join(consumer, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: consumer });
  return stdout.trim().split('\n');
}

const EXPECTED_OUTPUT = [
  JSON.stringify({ url: 'http://api.example/commands/c-1', authorization: 'Bearer a-token' }),
  JSON.stringify({ commandId: 'c-1', state: 'running' }),
];

it('packs the two builds with their types, the sources they map to and the OpenAPI documents, and no tests', () => {
  for (const build of ['cjs', 'esm']) {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        `dist/${build}/index.js`,
        `dist/${build}/index.d.ts`,
        `dist/${build}/package.json`,
        `dist/${build}/create-api-client.js`,
      ]),
    );
  }
  expect(packedFiles).toEqual(
    expect.arrayContaining(['openapi/command-api.json', 'openapi/query-api.json', 'src/index.ts', 'package.json']),
  );
  expect(packedFiles.filter((file) => /\.spec\.|test-support|released|scripts\//.test(file))).toEqual([]);
});

it('the CommonJS build works with require', async () => {
  const output = await runScript(
    'client.cjs',
    clientScript("const { createCommandApiClient } = require('@gyroscops/api-client');\n(async () => {") + '})();',
  );
  expect(output).toEqual(EXPECTED_OUTPUT);
  const { stdout } = await run(process.execPath, ['-p', "require.resolve('@gyroscops/api-client')"], { cwd: consumer });
  expect(stdout.trim()).toMatch(/dist\/cjs\/index\.js$/);
});

it('the ES module build works with import', async () => {
  const output = await runScript(
    'client.mjs',
    clientScript("import { createCommandApiClient } from '@gyroscops/api-client';"),
  );
  expect(output).toEqual(EXPECTED_OUTPUT);
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', "console.log(import.meta.resolve('@gyroscops/api-client'))"],
    { cwd: consumer },
  );
  expect(stdout.trim()).toMatch(/dist\/esm\/index\.js$/);
});

/** A consumer that must type-check, and two mistakes the types must refuse. */
const TYPED_CONSUMER = (load: string) => `
${load}
export async function create(token: string): Promise<string | undefined> {
  const client = createCommandApiClient({ baseUrl: 'http://127.0.0.1:3000', token });
  const { data } = await client.POST('/payments', { body: { organizationId: 'org-1', amount: '100.00', currency: 'EUR' } });
  // @ts-expect-error: no such route
  await client.GET('/no-such-route');
  // @ts-expect-error: the amount is a decimal string
  await client.POST('/payments', { body: { organizationId: 'org-1', amount: 100, currency: 'EUR' } });
  // 201 has the payment, 202 (answered asynchronously) only the command id.
  return data && 'paymentId' in data ? data.paymentId : undefined;
}
export const titleOf = (problem: ProblemDetails): string => problem.title;
`;

it.each([
  [
    'Node16 (a CommonJS and an ES module file)',
    ['consumer.cts', 'consumer.mts'],
    ['--module', 'node16', '--moduleResolution', 'node16'],
  ],
  ['a bundler', ['consumer.ts'], ['--module', 'esnext', '--moduleResolution', 'bundler']],
])(
  'its types check for consumers resolving as %s',
  async (_name, files, options) => {
    for (const file of files)
      writeFileSync(
        join(consumer, file),
        TYPED_CONSUMER("import { createCommandApiClient, type ProblemDetails } from '@gyroscops/api-client';"),
      );
    // No skipLibCheck: the package's declaration files are checked too.
    const args = [
      TSC,
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      '--typeRoots',
      join(ROOT, 'node_modules', '@types'),
      ...options,
      ...files,
    ];
    await expect(
      run(process.execPath, args, { cwd: consumer }).then(
        () => 'ok',
        (error: { stdout?: string }) => error.stdout,
      ),
    ).resolves.toBe('ok');
  },
  120_000,
);
