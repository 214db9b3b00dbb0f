import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layering = 'See ARCHITECTURE.md, "What may import what".';

export default defineConfig([
  globalIgnores([
    'dist',
    'reports',
    'coverage',
    'test-results',
    'playwright-report',
    'node_modules',
    'public',
    // Git-ignored scratch and build output (bench:ui builds into .tmp-bench-ui).
    '.tmp-*',
    '.scratch*',
  ]),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [
      js.configs.recommended,
      tseslint.configs.recommendedTypeChecked,
      reactHooks.configs.flat.recommended,
      reactRefresh.configs.vite,
    ],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      globals: { ...globals.browser, ...globals.worker },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/model',
              from: ['./src/worker', './src/state', './src/ui', './src/viz', './src/cli'],
              message: `model imports nothing of ours. ${layering}`,
            },
            {
              target: './src/worker',
              from: ['./src/state', './src/ui', './src/viz', './src/cli'],
              message: `worker imports only model. ${layering}`,
            },
            {
              target: './src/state',
              from: ['./src/ui', './src/viz', './src/cli'],
              message: `state never imports ui or viz. ${layering}`,
            },
            {
              target: './src/viz',
              from: ['./src/ui', './src/worker', './src/cli'],
              message: `viz reads state and model only. ${layering}`,
            },
            {
              target: './src/ui',
              from: ['./src/worker', './src/cli'],
              message: `ui talks to the engine through state. ${layering}`,
            },
            {
              target: './src/cli',
              from: ['./src/worker', './src/state', './src/ui', './src/viz'],
              message: `cli runs the model directly. ${layering}`,
            },
          ],
        },
      ],
    },
  },
  {
    // The model is deterministic and headless: no timers, clocks, randomness or console.
    files: ['src/model/**/*.ts'],
    ignores: ['src/model/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        'setTimeout',
        'setInterval',
        'requestAnimationFrame',
        'Date',
        'console',
        'window',
        'document',
        'self',
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
  {
    // The page loads the model's lean surface (src/model/core.ts): index.ts also carries the
    // scenario parser and zod, which only the worker and the CLI run. Type imports cost nothing.
    files: [
      'src/state/**/*.{ts,tsx}',
      'src/ui/**/*.{ts,tsx}',
      'src/viz/**/*.{ts,tsx}',
      'src/main.tsx',
      'src/worker/entryLookup.ts',
      'src/worker/packing.ts',
      'src/worker/cacheColumns.ts',
    ],
    ignores: ['**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/model/index.ts'],
              allowTypeImports: true,
              message:
                'Code that runs on the page imports values from src/model/core.ts (index.ts pulls in the scenario parser and zod). See ARCHITECTURE.md.',
            },
          ],
        },
      ],
    },
  },
  {
    // The composition root mounts the app; it exports nothing, so fast refresh does not apply.
    files: ['src/main.tsx'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
  {
    files: ['*.config.ts', 'e2e/**/*.ts', 'src/cli/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.test.{ts,tsx}', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
]);
