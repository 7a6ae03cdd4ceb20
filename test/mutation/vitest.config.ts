import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

// The suites that run in-process against the mutated modules (test/mutation/modules.ts). Stryker
// activates a mutant inside the test process, so suites that only reach the code through a child
// process (the CLIs' own tests) cannot kill it; they still run in `npm test`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'services/bank-api/test/api.test.ts',
      'services/bank-api/test/bad-input.test.ts',
      'services/bank-api/test/ledger-invariants.test.ts',
      'test/drills/bad-input.property.test.ts',
      'test/gitops/publish.test.ts',
      'test/gitops/diff.test.ts',
      'test/manifests/*.test.ts',
      'charts/**/*.test.ts',
      'platform/test/compliance.test.ts',
      'platform/config/config.test.ts',
    ],
  },
});
