import type { KnipConfig } from 'knip';

/**
 * Dependency checks only (`npm run check:deps`, part of `npm test`): every workspace declares what
 * its code imports, in the right list, and nothing it does not use. Unused files and exports are
 * left to review. Three runs, one question each:
 *
 * - `knip --dependencies`: every import of any file (tests too) resolves to a package the workspace
 *   or the root lists, and every listed package is used somewhere;
 * - `knip --production --strict --include unlisted,unresolved`: shipped code (entry points marked
 *   `!`) imports at run time only the workspace's own `dependencies`, never a devDependency or a
 *   root package, which a production install (`npm prune --omit=dev`, the images) would lack;
 * - `knip --production --include dependencies`: nothing in `dependencies` is used only by tests
 *   (that belongs in `devDependencies`, out of the images).
 */
const config: KnipConfig = {
  workspaces: {
    '.': {
      entry: ['scripts/*.mjs'],
      // Pinned at the top of node_modules so @temporalio/common and @temporalio/proto share one
      // protobufjs (two copies break Temporal's proto helpers); nothing imports it by name.
      ignoreDependencies: ['protobufjs'],
    },
    'apps/*': {
      // The service (package.json's `main` and `bin` are entries already) and its workflow bundle
      // writer, the build's last step, which requires the workflow code by path.
      entry: ['src/main.ts!', 'src/workflow-bundle.ts!'],
    },
    bench: {
      // Started by path as child processes or bundled by path: not imported by anything.
      entry: ['src/main.ts!', 'src/baseline-server.ts!', 'src/empty-workflow.ts!'],
    },
    'packages/platform': {
      // pino loads its pretty-printing transport by name, in a worker thread (LOG_PRETTY=true).
      ignoreDependencies: ['pino-pretty'],
    },
  },
  // Machine tools, not npm packages: Go builds the Temporal CLI, redis-server backs the fault tests,
  // openssl makes the TLS tests' certificates.
  ignoreBinaries: ['go', 'redis-server', 'openssl'],
};

export default config;
