import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every response of every server a test starts is checked against the OpenAPI document.
    setupFiles: ['test/support/validate-responses.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
