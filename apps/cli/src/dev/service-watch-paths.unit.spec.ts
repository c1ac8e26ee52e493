import { join, resolve } from 'node:path';
import { serviceWatchPaths } from './service-watch-paths';

const ROOT = resolve(__dirname, '../../../..');
const relative = (paths: string[]) => paths.map((path) => path.slice(ROOT.length + 1));

describe('serviceWatchPaths', () => {
  it("is the service's own dist/ and the dist/ of every workspace package it depends on, transitively", () => {
    const paths = relative(serviceWatchPaths(ROOT, 'query-worker'));
    expect(paths[0]).toBe(join('apps', 'query-worker', 'dist'));
    // Direct dependencies, and projections, which the worker reaches only through read-models.
    expect(paths).toEqual(
      expect.arrayContaining(['platform', 'read-models', 'projections'].map((name) => join('packages', name, 'dist'))),
    );
    expect(new Set(paths).size).toBe(paths.length);
    // Nothing the worker does not run: no other app, no package it only tests with (dev-infra is a devDependency of read-models).
    expect(paths.filter((path) => path.startsWith('apps') && path !== join('apps', 'query-worker', 'dist'))).toEqual(
      [],
    );
    expect(paths).not.toContain(join('packages', 'dev-infra', 'dist'));
  });
});
