// typescript-eslint with type information: floating promises are bugs in workflow and worker code alike,
// and workflows must not import Node builtins (they run in a deterministic sandbox).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noBuiltins = nodeBuiltins.map((name) => ({ name, message: 'Workflows run in a deterministic sandbox: no Node builtins.' }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', 'test-artifacts/**', 'test/processes/*/histories/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // Providers implement async interfaces with synchronous SQLite calls; that is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // One place opens SQLite files, so every connection gets the busy timeout, WAL, private file modes and the native
    // module built for the running Node (BETTER_SQLITE3_BINDING: the fast tier on Node 24 runs with another ABI).
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workers/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/stores/sqlite.ts', 'test/unit/sqlite-open.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'better-sqlite3',
              allowTypeImports: true,
              message:
                'Open SQLite through src/stores/sqlite.ts (openDatabase, openReadonlyDatabase): it loads the native module for this Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: noBuiltins }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows get configuration through their input, never process.env.' },
      ],
    },
  },
  {
    // Workflow code proper: the definitions (read by clients) and the input schemas stay out of the bundle.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/definition.ts', 'workflows/kit/input.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...noBuiltins,
            { name: 'zod', message: 'Input schemas belong in definition.ts, which clients read: workflow code gets its input validated.' },
          ],
          patterns: [
            {
              group: ['**/definition', '!../kit/definition', '!./kit/definition'],
              message: 'Workflow code never imports a definition: the client reads it and freezes the options into the input.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The console's browser code: ES modules in the browser, typed by tsc through JSDoc (src/apps/console/static/tsconfig.json).
    files: ['src/apps/console/static/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
