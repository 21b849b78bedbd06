// ESLint for the whole tree (`npm run lint`, run by `npm test`, zero warnings). It lives in .ci/ because the
// project's top level is fixed; `npm run lint` passes it with --config. The rules are the ones the anchor
// codebases use (vscode-eslint's eslint.config.js, typescript-eslint's recommended set) with type information, so
// floating promises — the bug class an LSP server and a VS Code client are most exposed to — fail the build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.cache/**', 'test/fixtures/**', 'templates/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    basePath: root,
    files: ['server/src/**/*.ts', 'client/src/**/*.ts', 'webviews/src/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's describe/it return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-throw-literal': 'error',
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'no-eval': 'error',
      'no-caller': 'error',
      'no-unsafe-finally': 'error',
    },
  },
  {
    // Tests load CommonJS-only packages lazily (google-protobuf, @pulumi/aws: ~1 s) and poke at untyped JSON
    // (SARIF, CLI --json, browser globals); the production rules for these two would only add casts there.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The runner (server/src/runner) is used through its facade, runner/index.ts; its other files are internal.
    // Its records (runnerTypes.ts: types and RunnerError, no code that runs packs) are the one exception, for the
    // pack config resolution in groups/ that the runner itself imports.
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/runner/**', 'server/src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/runner/*', '!**/runner/runnerTypes'], message: 'Import the runner from its facade (server/src/runner/index.ts).' }] }] },
  },
  {
    // The LSP protocol idiom (vscode-languageserver-protocol): `namespace XRequest { export const type = … }`.
    files: ['server/src/shared/**/*.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // server/src/shared is the vocabulary both sides import (client, webviews, server, CLI): it may import only
    // itself and the protocol package, never server internals the client bundle would then drag in.
    files: ['server/src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!./*'], message: 'server/src/shared imports only from server/src/shared and packages.' }] }] },
  },
);
