import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { boundaries } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules', 'web/dist', 'data', '.tmp', 'src/db/migrations', 'bench/results', 'build'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env'] MemberExpression[property.name='VITEST']", message: 'No test-only branches in src/' },
      ],
    },
  },
  {
    files: ['web/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker, SHELL_MANIFEST: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'web/e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // Pages read and write through the typed client and TanStack Query (web/src/api/client.ts, useFormSubmit).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/hooks'], importNames: ['useApi', 'useAction'], message: 'Use a query (useQuery + queries.ts) or a mutation / useFormSubmit instead.' },
            { group: ['**/api'], importNames: ['api', 'request'], message: 'Use the typed client: client.GET/POST… from api/client.ts, wrapped in ok().' },
          ],
        },
      ],
    },
  },
  {
    // The old client's own hooks (useApi, useAction): no page uses them now; removed with the old client.
    files: ['web/src/hooks.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  ...boundaries,
);
