import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs backends are process-global; forks keep each file's backend choice to itself.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
