import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The domain depends on nothing: src/core may import only itself and node:crypto (STYLE.md).
const coreBoundary = {
  files: ['src/core/**/*.ts'],
  // Tests beside the code may read vectors and use the test runner.
  ignores: ['src/core/**/*.test.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        // src/core is flat, so any parent-relative import leaves it.
        { regex: '^(?!node:crypto$|\\./)', message: 'src/core imports nothing outside core except node:crypto.' },
      ],
    }],
  },
};

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
  coreBoundary,
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
