import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files build on each other's end state (deploy, then drift, then windows): run them in name order. */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

// The live GitOps tests run against the local platform `npm run local:up` started (a real Argo CD on
// the local control plane). They change its state in order (deploy, roll back, drift, sync windows),
// so the files run one at a time in a fixed order.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/local-platform/**/*.test.ts'],
    fileParallelism: false,
    sequence: { shuffle: false, sequencer: ByName },
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
