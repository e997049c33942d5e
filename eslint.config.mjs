// Flat config. Layers only import downward: pure core (src/main/core) and shared contracts
// (src/shared) must not reach Node, Electron or native adapters; the renderer must not reach Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
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
