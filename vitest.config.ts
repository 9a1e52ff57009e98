import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs backends are process-global; forks keep each file's backend choice to itself. Generous timeouts: training tests
    // on 2 shared cores can take a minute; speed is measured by the benchmarks, never asserted here.
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
