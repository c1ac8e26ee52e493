import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WORKSPACE_PACKAGE = /^@gyroscops\/([a-z0-9-]+)$/;

/**
 * The built output a service runs from: its own `dist/` and that of every workspace package it
 * depends on (package.json `dependencies`, transitively). `npm run dev` restarts the service when
 * any of them changes. Watching the require graph instead would miss the workers' workflow bundles,
 * which are read as files.
 */
export function serviceWatchPaths(root: string, app: string): string[] {
  const workspaces = new Set<string>();
  const visit = (workspace: string) => {
    if (workspaces.has(workspace)) return;
    workspaces.add(workspace);
    const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const name = WORKSPACE_PACKAGE.exec(dependency)?.[1];
      if (name && existsSync(join(root, 'packages', name, 'package.json'))) visit(join('packages', name));
    }
  };
  visit(join('apps', app));
  return [...workspaces].map((workspace) => join(root, workspace, 'dist'));
}
