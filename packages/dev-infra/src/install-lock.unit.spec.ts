import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOnce } from './install-lock';

describe('installOnce', () => {
  it('runs the install once when several callers race, and every caller gets its result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'install-once-'));
    const product = join(dir, 'tool');
    let installs = 0;
    const done = () => (existsSync(product) ? product : undefined);
    const install = async () => {
      installs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      writeFileSync(product, 'built');
      return product;
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => installOnce(join(dir, 'lock'), done, install, 10)),
    );
    expect(results).toEqual(Array(5).fill(product));
    expect(installs).toBe(1);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock left behind by a process that no longer runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'install-once-'));
    const lock = join(dir, 'lock');
    mkdirSync(lock);
    // Pids are at most 2^22 on Linux: this one cannot be running.
    writeFileSync(join(lock, 'pid'), String(2 ** 22 + 7));
    const result = await installOnce(
      lock,
      () => undefined,
      async () => 'installed',
      10,
    );
    expect(result).toBe('installed');
  });

  it('releases the lock when the install fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'install-once-'));
    const lock = join(dir, 'lock');
    await expect(
      installOnce(
        lock,
        () => undefined,
        async () => Promise.reject(new Error('no network')),
        10,
      ),
    ).rejects.toThrow('no network');
    expect(existsSync(lock)).toBe(false);
  });
});
