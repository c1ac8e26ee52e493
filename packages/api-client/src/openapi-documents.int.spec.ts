import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The committed OpenAPI documents and generated client types are what the services generate now.
 * Runs `scripts/openapi.mjs --check`, the generator of `npm run openapi` without writing: it builds
 * both apps from their `dist/` (so it sees what `turbo run build`, the first step of `npm test`, built;
 * after changing routes, build before running this file alone), reads `app.swagger()`, regenerates the
 * TypeScript types and compares all four files byte for byte.
 */
const ROOT = join(__dirname, '..', '..', '..');

function runCheck(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'openapi.mjs'), '--check'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('the committed OpenAPI documents and generated types match what the services generate (else: run npm run openapi)', async () => {
  const { code, output } = await runCheck();
  if (code !== 0) throw new Error(`scripts/openapi.mjs --check failed (exit ${code}):\n${output}`);
  expect(output).toMatch(/4 files match what the services generate/);
}, 180_000);
