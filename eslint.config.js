import tseslint from 'typescript-eslint';

// Architecture rules (boundaries, faces, no cycles) live in .dependency-cruiser.cjs and run in `npm run lint`.

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/web/assets/**', 'packages/*/dist/**', 'packages/sdk/src/schema.d.ts'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The SDK (packages/sdk): the same rules, and Web APIs only in what must run in browsers and edge
  // runtimes. Only the Fastify adapter, which runs on Node alone, may use node:* modules.
  {
    files: ['packages/sdk/src/**/*.ts', 'packages/sdk/test/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/sdk/src/**/*.ts'],
    ignores: ['packages/sdk/src/fastify.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The SDK runs in browsers too: use Web APIs (fetch, WebCrypto).' }] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'The SDK runs in browsers too: use Uint8Array, TextEncoder and btoa.' }, { name: 'process', message: 'The SDK runs in browsers too.' }],
    },
  },
);
