import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';
import { MUTATION_MODULES, MUTATION_TESTS_ENV } from './modules.js';

// The suites Stryker runs: those of the module under test (set by scripts/mutation/run-cli.ts), or
// every module's suites when Stryker is started by hand.
const selected = process.env[MUTATION_TESTS_ENV]?.split(',').filter(Boolean);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: selected ?? [...new Set(MUTATION_MODULES.flatMap((m) => m.tests))],
  },
});
