import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Architecture rules (boundaries, faces, no cycles) live in .dependency-cruiser.cjs and run in `npm run lint`.

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/web/assets/**', 'web/src/api/schema.d.ts'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The console (web/) and its browser tests: the same rules, plus React's rules of hooks.
  {
    files: ['web/**/*.{ts,tsx}', 'test/browser/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    ignores: ['web/src/api/schema.d.ts'],
    plugins: { 'react-hooks': reactHooks },
    // The rules of hooks; the React Compiler's extra rules do not apply, as the console does not use it.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
