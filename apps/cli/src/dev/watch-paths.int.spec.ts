/**
 * The dev loop's watcher on the real file system: one change notice per burst of writes, once they
 * went quiet; a watched folder removed and written again (`rm -rf dist && tsc`) is a change, and is
 * watched again afterwards; nothing is reported after stopping.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@gyroscops/dev-infra';
import { watchPaths } from './watch-paths';

const QUIET_MS = 200;

function watched() {
  const root = mkdtempSync(join(tmpdir(), 'watch-paths-'));
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'nested'), { recursive: true });
  const changes: number[] = [];
  const stop = watchPaths([dist], QUIET_MS, () => changes.push(Date.now()));
  return { root, dist, changes, stop };
}

describe('watchPaths', () => {
  it('reports a burst of writes once, after it went quiet, and nested files too', async () => {
    const { root, dist, changes, stop } = watched();
    try {
      for (let index = 0; index < 5; index += 1) writeFileSync(join(dist, 'nested', `file-${index}.js`), `${index}`);
      await waitFor('the burst to be reported', async () => changes.length === 1, {
        intervalMs: 20,
        timeoutMs: 10_000,
      });
      // A second report would come QUIET_MS after a later event: there is none, so there is none (checked after 3 quiet periods).
      const reportedAt = changes[0]!;
      await waitFor('three quiet periods to pass', async () => Date.now() - reportedAt > 3 * QUIET_MS, {
        intervalMs: 20,
      });
      expect(changes).toHaveLength(1);

      writeFileSync(join(dist, 'main.js'), 'changed');
      await waitFor('the next change to be reported', async () => changes.length === 2, {
        intervalMs: 20,
        timeoutMs: 10_000,
      });
    } finally {
      stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('survives its folder being removed and written again, and watches the new one', async () => {
    const { root, dist, changes, stop } = watched();
    try {
      rmSync(dist, { recursive: true, force: true });
      mkdirSync(join(dist, 'nested'), { recursive: true });
      writeFileSync(join(dist, 'nested', 'main.js'), 'rebuilt');
      await waitFor('the rebuild to be reported', async () => changes.length >= 1, {
        intervalMs: 20,
        timeoutMs: 10_000,
      });
      const afterRebuild = changes.length;

      writeFileSync(join(dist, 'nested', 'main.js'), 'edited after the rebuild');
      await waitFor('a write into the new folder to be reported', async () => changes.length > afterRebuild, {
        intervalMs: 20,
        timeoutMs: 10_000,
      });
    } finally {
      stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports nothing once stopped', async () => {
    const { root, dist, changes, stop } = watched();
    stop();
    writeFileSync(join(dist, 'main.js'), 'after stop');
    const wroteAt = Date.now();
    await waitFor('three quiet periods to pass', async () => Date.now() - wroteAt > 3 * QUIET_MS, { intervalMs: 20 });
    expect(changes).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});
