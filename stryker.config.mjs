// @ts-check
// Mutation testing (docs/testing.md). `npm run test:mutation` (scripts/mutation/run-cli.ts) runs
// Stryker once per module of test/mutation/modules.ts, overriding `mutate`, the report files and the
// incremental file, and enforces the score floor; `npx stryker run` mutates every module at once.

import { tmpdir } from 'node:os';
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
  // Added to a mutant's expected time before it counts as a timeout (an endless loop); a loaded
  // 2-core machine needs more than the 5 s default.
  timeoutMS: 15_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // `npm run test:mutation -- --incremental` uses test/mutation/baseline/<module>.json instead.
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // Outside any Git repository: a mutant of the publisher that loses its `cwd` or its private index
  // then fails against a plain folder instead of rewriting the checkout's own index and refs (it did,
  // once, while the sandbox lived in .stryker-tmp inside the checkout). One folder per run, because
  // `cleanTempDir: 'always'` removes the whole folder and would pull it from under a concurrent run.
  tempDirName: join(tmpdir(), `bank-platform-stryker-${process.pid}`),
  cleanTempDir: 'always',
  ignorePatterns: [
    'cdk.out',
    '.tools',
    '.bench',
    'reports',
    'services/bank-api/dist',
    'test/mutation/baseline',
  ],
};
export default config;
