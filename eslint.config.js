import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layering = 'See ARCHITECTURE.md, "Layers and what may import what".';
const modelOrder = 'See src/model/README.md (the model imports downwards only).';

// Between the layers of src/ (ARCHITECTURE.md). `except` paths are relative to `from`.
const layerZones = [
  {
    target: './src/model',
    from: ['./src/shared', './src/worker', './src/state', './src/ui', './src/viz', './src/cli'],
    message: `model imports nothing of ours. ${layering}`,
  },
  {
    target: './src/shared',
    from: ['./src/worker', './src/state', './src/ui', './src/viz', './src/cli'],
    except: ['./protocol.ts'],
    message: `shared imports only model and the worker protocol's types. ${layering}`,
  },
  {
    target: './src/worker',
    from: ['./src/state', './src/ui', './src/viz', './src/cli'],
    message: `worker imports only model and shared. ${layering}`,
  },
  {
    target: './src/state',
    from: ['./src/ui', './src/viz', './src/cli'],
    message: `state never imports ui or viz. ${layering}`,
  },
  {
    target: './src/viz',
    from: ['./src/ui', './src/state', './src/worker', './src/shared', './src/cli'],
    message: `viz reads the model only. ${layering}`,
  },
  {
    target: './src/ui',
    from: ['./src/worker', './src/shared', './src/cli'],
    message: `ui talks to the engine through state. ${layering}`,
  },
  {
    target: './src/cli',
    from: ['./src/shared', './src/worker', './src/state', './src/ui', './src/viz'],
    message: `cli runs the model directly. ${layering}`,
  },
];

// state's product code reaches the worker only through the protocol (and the API object, for the
// in-process engine); its tests may cross-check worker internals.
const stateWorkerZone = {
  target: './src/state',
  from: './src/worker',
  except: ['./protocol.ts', './simulationApi.ts'],
  message: `state reaches the worker only through protocol.ts (and simulationApi.ts for the in-process engine). ${layering}`,
};

// ui's product code imports state only through its public surface (tests also use state/testing).
const uiSurfaceZone = {
  target: './src/ui',
  from: './src/state',
  except: ['./index.ts'],
  message: `ui imports state only from src/state/index.ts. ${layering}`,
};

// Inside the model, in the order src/model/README.md states: run → qemu → tables / invalidation /
// memory / trace → bits, with the plain type files scenario/scenarioTypes.ts and run/runTypes.ts at
// the bottom. The parser, importers, comparison, audit and test support sit above all of them.
const modelTop = [
  'scenario',
  'importers',
  'compare',
  'audit',
  'testSupport',
  'linux',
  'teaching',
].map((f) => `./src/model/${f}`);
const modelZones = [
  {
    target: './src/model/bits',
    from: ['memory', 'tables', 'invalidation', 'trace', 'qemu', 'run']
      .map((f) => `./src/model/${f}`)
      .concat(modelTop),
    message: `bits is the model's lowest layer. ${modelOrder}`,
  },
  ...['tables', 'invalidation', 'memory', 'trace'].flatMap((level) => [
    {
      target: `./src/model/${level}`,
      from: ['./src/model/qemu', ...modelTop.slice(1)],
      message: `${level} sits below qemu and run. ${modelOrder}`,
    },
    {
      target: `./src/model/${level}`,
      from: './src/model/run',
      except: ['./runTypes.ts'],
      message: `${level} sits below run (its types file aside). ${modelOrder}`,
    },
    {
      target: `./src/model/${level}`,
      from: './src/model/scenario',
      except: ['./scenarioTypes.ts'],
      message: `${level} sits below the scenario parser (its types file aside). ${modelOrder}`,
    },
  ]),
  {
    target: './src/model/qemu',
    from: './src/model/run',
    except: ['./runTypes.ts'],
    message: `qemu sits below run (its types file aside). ${modelOrder}`,
  },
  ...['qemu', 'run'].flatMap((level) => [
    {
      target: `./src/model/${level}`,
      from: './src/model/scenario',
      except: ['./scenarioTypes.ts'],
      message: `${level} sits below the scenario parser (its types file aside). ${modelOrder}`,
    },
    {
      target: `./src/model/${level}`,
      from: modelTop.slice(1),
      message: `${level} sits below the importers, comparison, audit and test support. ${modelOrder}`,
    },
  ]),
];

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
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // The model's own order, for its product code (tests may build scenarios with the parser).
    files: ['src/model/**/*.ts'],
    ignores: ['src/model/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...modelZones] }],
    },
  },
  {
    files: ['src/state/**/*.{ts,tsx}'],
    ignores: ['src/state/**/*.test.{ts,tsx}'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, stateWorkerZone] }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    ignores: ['src/ui/**/*.test.{ts,tsx}'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, uiSurfaceZone] }],
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
      'src/shared/**/*.ts',
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
