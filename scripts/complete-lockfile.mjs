#!/usr/bin/env node
// The registry these machines use does not serve every platform's build of packages that ship
// native binaries as optional dependencies (@swc/core-darwin-arm64, @turbo/windows-64, ...). `npm
// install` then leaves them out of package-lock.json, and `npm ci` refuses the lockfile as out of
// sync. This adds the missing entries, marked optional and limited to their os/cpu, so `npm ci`
// accepts the lockfile and skips them on other platforms, exactly as it would with a complete one.
// Run it after every `npm install` that changes the lockfile: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'openbsd', 'sunos', 'aix', 'netbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = OS.find((candidate) => parts.includes(candidate) || (candidate === 'win32' && parts.includes('windows')));
  const cpu = CPU.find(
    (candidate) =>
      parts.includes(candidate) || (candidate === 'x64' && parts.includes('64') && !parts.includes('arm64')),
  );
  return { os, cpu };
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [dependency, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${dependency}`;
    const hoisted = `node_modules/${dependency}`;
    if (lock.packages[nested] || lock.packages[hoisted]) continue;
    const version = String(spec).replace(/^[\^~=]/, '');
    const { os, cpu } = platformOf(dependency);
    lock.packages[hoisted] = { version, optional: true, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform-specific optional entries`);
