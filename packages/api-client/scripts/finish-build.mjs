#!/usr/bin/env node
/**
 * The last step of `npm run build` in @gyroscops/api-client, after tsc wrote the two builds from the
 * same sources: dist/cjs (tsconfig.build.json, CommonJS) and dist/esm (tsconfig.esm.json, ES modules;
 * Node16 would emit CommonJS there because the package has no "type", hence ES2022 with bundler
 * resolution).
 *
 * - Each build gets a package.json naming its module format, so Node and TypeScript read dist/esm's
 *   .js and .d.ts files as ES modules and dist/cjs's as CommonJS whatever the package root says.
 * - Sources import their relative modules as `./x.ts` (rewriteRelativeImportExtensions: tsc writes
 *   `./x.js` into the JavaScript), but tsc leaves `.ts` in declaration files. TypeScript 5 resolves
 *   those, older compilers and some editors do not: they become `.js` here, as in the JavaScript.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const FORMATS = { cjs: 'commonjs', esm: 'module' };
/** `from './x.ts'` and `import('./x.ts')` with a relative specifier. */
const RELATIVE_TS_SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;

async function declarationFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? declarationFiles(join(dir, entry.name)) : [])),
  );
  return [
    ...entries.filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts')).map((entry) => join(dir, entry.name)),
    ...nested.flat(),
  ];
}

for (const [build, type] of Object.entries(FORMATS)) {
  await writeFile(join(DIST, build, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
  for (const file of await declarationFiles(join(DIST, build))) {
    const text = await readFile(file, 'utf8');
    const rewritten = text.replace(RELATIVE_TS_SPECIFIER, '$1$2.js$3');
    if (rewritten !== text) await writeFile(file, rewritten);
  }
}
