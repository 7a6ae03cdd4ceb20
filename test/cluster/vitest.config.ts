import { defineConfig } from 'vitest/config';

// The cluster tests share one local control plane (npm run cluster:up) and change its state (drains,
// deletions), so files run one at a time, in a fixed order, with no PostgreSQL global setup.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/support/global-cluster.ts'],
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
