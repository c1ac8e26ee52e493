// Lint rules that keep the architecture honest (docs/architecture.md, "Boundaries").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_PACKAGES = ['kysely', 'pg', 'ioredis', 'fastify', 'fastify-plugin', 'prom-client', 'pino', 'uuid'];
const noNode = { group: ['node:*'], message: 'No Node built-ins here: keep this code pure.' };
const noIo = { group: IO_PACKAGES, message: 'No I/O libraries here.' };
const noTemporal = { group: ['@temporalio/*'], message: 'The domain knows nothing of Temporal.' };
const noApps = { group: ['**/apps/**'], message: 'Packages never import apps; apps never import each other.' };
const noReadSide = {
  group: ['@gyroscops/read-models', '@gyroscops/projections', '@gyroscops/cache'],
  message: 'The write side never reads read models.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules that catch real bugs: a promise nobody awaits or handles (its rejection is lost
    // or kills the process), a promise passed where a void callback is expected (an async route hook,
    // an event listener), and a switch over a union that forgets a member. One program for the whole
    // repository (tsconfig.eslint.json) instead of one per workspace keeps memory and time low.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.eslint.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-imports': ['error', { patterns: [noApps] }],
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode,
            noIo,
            noTemporal,
            noApps,
            { group: ['@gyroscops/*'], message: 'The domain imports nothing internal.' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/contracts/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode,
            noIo,
            noApps,
            {
              group: ['@temporalio/*', '!@temporalio/workflow'],
              message: 'Contracts use only Temporal workflow definitions.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: domain, contracts, the workflow API and types only.
    files: ['apps/*/src/workflows/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    // The typescript-eslint rule: it tells type imports (erased) from value imports (bundled).
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode,
            noIo,
            noApps,
            {
              group: ['@temporalio/*', '!@temporalio/workflow'],
              message: 'Workflows import only @temporalio/workflow.',
            },
            {
              group: ['@gyroscops/*', '!@gyroscops/domain', '!@gyroscops/contracts', '!@gyroscops/contracts/workflows'],
              message: 'Workflows import only domain and contracts.',
            },
            {
              group: ['../activities/*', './activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only.',
            },
          ],
          paths: [
            {
              name: '@gyroscops/contracts',
              allowTypeImports: true,
              message:
                'Import values from @gyroscops/contracts/workflows: with reuseV8Context every workflow execution evaluates its bundle again, and the root brings TypeBox and every HTTP schema.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/command-api/src/**/*.ts', 'apps/command-worker/src/**/*.ts'],
    ignores: ['apps/*/src/workflows/**', '**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noApps, noReadSide] }] },
  },
  {
    files: ['apps/query-api/src/**/*.ts', 'apps/query-worker/src/**/*.ts'],
    ignores: ['apps/*/src/workflows/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [noApps],
          paths: [
            {
              name: '@gyroscops/event-store',
              importNames: ['appendToStream'],
              message: 'The read side never writes events.',
            },
          ],
        },
      ],
    },
  },
);
