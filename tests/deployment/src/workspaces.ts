import { readdirSync } from 'node:fs';
import { readWorkspaceManifest, repositoryFileExists, repositoryPath } from './repository';

/** Every workspace of the monorepo by package name, with its folder relative to the root. */
export function workspaceFolders(): Map<string, string> {
  const folders = new Map<string, string>();
  for (const parent of ['packages', 'apps', 'tests']) {
    for (const entry of readdirSync(repositoryPath(parent), { withFileTypes: true })) {
      const folder = `${parent}/${entry.name}`;
      if (entry.isDirectory() && repositoryFileExists(folder, 'package.json')) folders.set(readWorkspaceManifest(folder).name, folder);
    }
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
