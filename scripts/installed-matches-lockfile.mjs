#!/usr/bin/env node
/**
 * Exits 0 when node_modules holds what package-lock.json says, 1 when an install is due (npm start and
 * npm run dev then run `npm ci`). Compares every package's version (and workspace links) with npm's
 * own record of what it installed, node_modules/.package-lock.json; optional packages (other
 * platforms' native builds) may be absent. Comparing the two files' modification times instead is
 * wrong: `npm install` writes package-lock.json after its record, so every install looked stale.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')).packages ?? {};

let wanted;
let installed;
try {
  wanted = read('package-lock.json');
  installed = read('node_modules/.package-lock.json');
} catch {
  process.exit(1);
}
const differs = Object.entries(wanted).find(
  ([path, entry]) =>
    path !== '' &&
    !entry.optional &&
    (installed[path]?.version !== entry.version || Boolean(installed[path]?.link) !== Boolean(entry.link)),
);
if (differs) {
  console.log(`node_modules is not what package-lock.json says (${differs[0]}): installing`);
  process.exit(1);
}
