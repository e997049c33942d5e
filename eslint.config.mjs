// Flat config. Layers only import downward: pure core (src/main/core) and shared contracts
// (src/shared) must not reach Node, Electron or native adapters; the renderer must not reach Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'net',
  'http',
  'https',
  'stream',
  'crypto',
  'events',
  'util',
  'url',
  'zlib',
  'dgram',
  'tty',
  'readline',
];
const adapters = [
  'electron',
  'onnxruntime-node',
  'onnxruntime-common',
  'node-snap7',
  'serialport',
  'sharp',
  'ws',
  '@ffmpeg-installer/ffmpeg',
  'protobufjs',
  'pino',
  'mqtt',
  'node-opcua',
  'node-opcua-*',
];

/**
 * The layer map. Dependencies point inward: shell → app → adapter → core → shared. The renderer
 * and the preload see only the shared contracts. A file outside every element (tests, scripts) is
 * not checked. New folders under src/main must be placed here, or lint fails on their imports.
 */
export const LAYERS = [
  { type: 'shared', pattern: 'src/shared/**' },
  { type: 'core', pattern: 'src/main/core/**' },
  { type: 'app', pattern: ['src/main/app/**', 'src/main/station/**', 'src/main/pipeline/**'] },
  { type: 'shell', pattern: ['src/main/shell/**', 'src/main/cli/**', 'src/main/server/**'] },
  { type: 'preload', pattern: 'src/preload/**' },
  { type: 'renderer', pattern: 'src/renderer/**' },
  // Everything else under src/main talks to the outside world: processes, files, devices, network.
  { type: 'adapter', pattern: 'src/main/**' },
];

const mayImport = {
  shared: ['shared'],
  core: ['shared', 'core'],
  adapter: ['shared', 'core', 'adapter'],
  app: ['shared', 'core', 'adapter', 'app'],
  shell: ['shared', 'core', 'adapter', 'app', 'shell'],
  preload: ['shared'],
  renderer: ['shared', 'renderer'],
};

export const layerRules = {
  plugins: { boundaries },
  files: ['src/**/*.{ts,tsx}'],
  settings: {
    'boundaries/elements': LAYERS.map((l) => ({ ...l, partialMatch: false })),
    'boundaries/include': ['src/**/*'],
    // Electron's entry file is one import of the shell (src/main/shell).
    'boundaries/ignore': ['src/main/index.ts'],
    'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        policies: Object.entries(mayImport).map(([from, to]) => ({
          from: { element: { type: from } },
          allow: { to: { element: { types: { anyOf: to } } } },
        })),
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  layerRules,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/main/core/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins,
              message: 'Pure core and shared contracts do no I/O: pass data in, not handles.',
            },
            {
              group: adapters,
              message:
                'Pure core and shared contracts must not depend on adapters; put this behind an interface in src/main.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer', '__dirname'],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, ...adapters],
              message: 'The renderer talks only to the shared API; no Node or native modules.',
            },
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer may import only src/shared and its own files.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
