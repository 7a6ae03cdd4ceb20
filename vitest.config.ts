import { defineConfig } from 'vitest/config';

// One runner for the whole repository: the service, the platform (CDK), the charts (cdk8s) and the
// cross-cutting tests under test/. The global setup starts a throwaway PostgreSQL server when the
// server binaries are present, so the database suites run against PGlite and real PostgreSQL.
export default defineConfig({
  test: {
    include: [
      'services/*/test/**/*.test.ts',
      'platform/**/*.test.ts',
      'charts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'cdk.out/**', 'test/cluster/**', 'test/local-platform/**'],
    globalSetup: ['test/support/global-postgres.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
