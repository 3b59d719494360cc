import tseslint from 'typescript-eslint';

// Architecture rules (boundaries, faces, no cycles) live in .dependency-cruiser.cjs and run in `npm run lint`.

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
);
