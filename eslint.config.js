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
  { ignores: ['dist/**', 'node_modules/**', 'src/web/assets/**'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  coreBoundary,
);
