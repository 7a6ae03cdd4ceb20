// @ts-check
// Mutation testing (docs/testing.md). `npm run test:mutation` (scripts/mutation/run-cli.ts) runs
// Stryker once per module of test/mutation/modules.ts, overriding `mutate`, the report files and the
// incremental file, and enforces the score floor; `npx stryker run` mutates every module at once.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MUTATION_MODULES } from './test/mutation/modules.ts';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: MUTATION_MODULES.flatMap((module) => module.files),
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Kept outside the clone so a CI run on a fresh clone can reuse the previous run's results.
  incrementalFile: join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'bank-platform',
    'stryker-incremental.json',
  ),
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['cdk.out', '.tools', '.bench', 'reports', 'services/bank-api/dist'],
};
export default config;
