import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Architecture rules (boundaries, faces, no cycles) live in .dependency-cruiser.cjs and run in `npm run lint`.

const unusedVars = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'src/web/assets/**',
      'web/src/api/schema.d.ts',
      'packages/*/dist/**',
      'packages/sdk/src/schema.d.ts',
    ],
  },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      'no-console': 'off',
    },
  },
  // The console (web/), its browser tests and the SDK (packages/sdk): the same rules.
  {
    files: ['web/**/*.{ts,tsx}', 'test/browser/**/*.ts', 'packages/sdk/src/**/*.ts', 'packages/sdk/test/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-unused-vars': unusedVars },
  },
  {
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    ignores: ['web/src/api/schema.d.ts'],
    plugins: { 'react-hooks': reactHooks },
    // The rules of hooks; the React Compiler's extra rules do not apply, as the console does not use it.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // The SDK runs in browsers and edge runtimes: Web APIs only. Only the Fastify adapter, which runs
  // on Node alone, may use node:* modules.
  {
    files: ['packages/sdk/src/**/*.ts'],
    ignores: ['packages/sdk/src/fastify.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The SDK runs in browsers too: use Web APIs (fetch, WebCrypto).' }] },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'The SDK runs in browsers too: use Uint8Array, TextEncoder and btoa.' },
        { name: 'process', message: 'The SDK runs in browsers too.' },
      ],
    },
  },
);
