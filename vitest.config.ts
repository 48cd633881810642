import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@clusterconf/source'] },
  ssr: { resolve: { conditions: ['@clusterconf/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites that share one PostgreSQL database use distinct schemas, so files may run in parallel.
    pool: 'forks',
  },
});
