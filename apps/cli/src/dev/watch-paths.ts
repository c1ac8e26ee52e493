import { existsSync, watch, type FSWatcher } from 'node:fs';

/** How often a watched directory that is gone (a clean build removed it) is looked for again. */
const MISSING_POLL_MS = 250;

/**
 * Calls `onChange` once something under `paths` changed and then nothing did for `quietMs` (a build
 * writes many files). Every watcher is made again after each change, so a directory a build removed
 * and wrote again (`rm -rf dist && tsc`) is watched anew; one that is missing is looked for until it
 * is back. Node 20's own watch mode cannot do this: its recursive watcher throws (ENOENT) and stops
 * the whole watch process when a watched folder disappears mid-build. Returns a function that stops.
 */
export function watchPaths(paths: readonly string[], quietMs: number, onChange: () => void): () => void {
  const watchers = new Map<string, FSWatcher>();
  const polls = new Set<NodeJS.Timeout>();
  let quiet: NodeJS.Timeout | undefined;
  let stopped = false;

  const changed = () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => {
      armAll();
      onChange();
    }, quietMs);
  };
  const arm = (path: string) => {
    watchers.get(path)?.close();
    watchers.delete(path);
    if (stopped) return;
    if (!existsSync(path)) {
      const poll = setTimeout(() => {
        polls.delete(poll);
        if (existsSync(path)) changed();
        else arm(path);
      }, MISSING_POLL_MS);
      polls.add(poll);
      return;
    }
    try {
      const watcher = watch(path, { recursive: true }, changed);
      // A folder removed under the watcher: count it as a change, and watch again once the build is quiet.
      watcher.on('error', () => {
        watcher.close();
        changed();
      });
      watchers.set(path, watcher);
    } catch {
      changed();
    }
  };
  const armAll = () => {
    for (const poll of polls) clearTimeout(poll);
    polls.clear();
    for (const path of paths) arm(path);
  };

  armAll();
  return () => {
    stopped = true;
    clearTimeout(quiet);
    for (const poll of polls) clearTimeout(poll);
    for (const watcher of watchers.values()) watcher.close();
  };
}
