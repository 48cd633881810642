import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@clusterconf/source'] },
  ssr: { resolve: { conditions: ['@clusterconf/source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites that share one PostgreSQL database use distinct schemas, so files may run in parallel.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'main', include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'] } },
      // The EventStoreDB adapter's own suites once more through @kurrent/kurrentdb-client (the main project runs them
      // through @eventstore/db-client). A process can hold only one of the two packages: their generated gRPC messages
      // share global names (test/eventstoredb/test-server/grpc-definitions.ts), hence a project rather than a loop.
      {
        extends: true,
        test: { name: 'kurrentdb-client', include: ['test/eventstoredb/**/*.test.ts'], env: { CLUSTERCONF_TEST_CLIENT: '@kurrent/kurrentdb-client' } },
      },
    ],
  },
});
