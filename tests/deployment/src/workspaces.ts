import { readdirSync } from 'node:fs';
import { readRepositoryFile, readWorkspaceManifest, repositoryFileExists, repositoryPath } from './repository';

/** Every workspace of the monorepo by package name, with its folder relative to the root. */
export function workspaceFolders(): Map<string, string> {
  const folders = new Map<string, string>();
  // The root package.json's workspaces: `parent/*` globs and plain folders (bench).
  const patterns = (JSON.parse(readRepositoryFile('package.json')) as { workspaces: string[] }).workspaces;
  const candidates = patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(repositoryPath(pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern],
  );
  for (const folder of candidates) {
    if (repositoryFileExists(folder, 'package.json')) folders.set(readWorkspaceManifest(folder).name, folder);
  }
  return folders;
}

/** The folders of a workspace and of every workspace it depends on, directly or not (dependencies and devDependencies). */
export function workspaceClosure(packageName: string, folders = workspaceFolders()): Set<string> {
  const closure = new Set<string>();
  const visit = (name: string) => {
    const folder = folders.get(name);
    if (!folder || closure.has(folder)) return;
    closure.add(folder);
    const manifest = readWorkspaceManifest(folder);
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) visit(dependency);
  };
  visit(packageName);
  return closure;
}
