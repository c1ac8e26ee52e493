import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The monorepo's root: every deployment file is named relative to it. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..');

export const repositoryPath = (...segments: string[]): string => join(REPOSITORY_ROOT, ...segments);

export const readRepositoryFile = (...segments: string[]): string => readFileSync(repositoryPath(...segments), 'utf8');

export const repositoryFileExists = (...segments: string[]): boolean => existsSync(repositoryPath(...segments));

/** A workspace's package.json, as far as these checks read it. */
export interface WorkspaceManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export const readWorkspaceManifest = (workspaceFolder: string): WorkspaceManifest =>
  JSON.parse(readRepositoryFile(workspaceFolder, 'package.json')) as WorkspaceManifest;
