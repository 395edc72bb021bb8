import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import ts from 'typescript-eslint'

const ELECTRON = { name: 'electron', message: 'Only src/main/index.ts and src/preload may import electron.' }

/** Who may import whom: the folder tree is the architecture, and these rules keep it so. */
const layers = [
  {
    files: ['src/shared/**'],
    message: 'src/shared is the contract every runtime reads: it imports nothing from main, preload, renderer or Node.',
    patterns: ['**/main/**', '**/preload/**', '**/renderer/**', 'node:*'],
  },
  {
    files: ['src/renderer/**'],
    message: 'The renderer talks to the lab only through window.lab; it imports src/shared, never main or preload.',
    patterns: ['**/main/**', '**/preload/**', 'node:*'],
  },
  {
    files: ['src/main/cli.ts', 'src/main/cli/**'],
    message: 'The CLI is a front door: it calls LabService (src/main/lab/service) and reads src/shared, nothing else of the core.',
    patterns: ['**/lab/**', '!**/lab/service'],
  },
]

export default ts.config(
  { ignores: ['out/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [ELECTRON] }],
    },
  },
  ...layers.map(({ files, message, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON], patterns: [{ group: patterns, message }] }] },
  })),
  {
    files: ['src/main/index.ts', 'src/preload/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
)
