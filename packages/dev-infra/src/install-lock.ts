import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `install` under a cross-process lock (an atomic mkdir holding the owner's pid), so parallel
 * test runs on one machine build a tool once instead of each compiling it. Waiters call `done()`
 * again whenever the lock is released, and take a lock left behind by a dead process.
 */
export async function installOnce<T>(
  lockDir: string,
  done: () => T | undefined,
  install: () => Promise<T>,
  pollMs = 1_000,
): Promise<T> {
  for (;;) {
    const ready = done();
    if (ready !== undefined) return ready;
    try {
      mkdirSync(lockDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(lockDir);
      // A lock without a pid may be a holder between its mkdir and its write: give it one round.
      if (holder !== undefined && !isAlive(holder)) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(pollMs);
      continue;
    }
    try {
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return done() ?? (await install());
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  }
}
