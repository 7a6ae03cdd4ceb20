/**
 * The code where a silent bug costs most, grouped as `npm run test:mutation` reports it. Each module
 * must keep a mutation score of at least `MUTATION_SCORE_FLOOR` (issue 17); the Stryker config mutates
 * exactly these files.
 */
export interface MutationModule {
  /** What the module is, as the report prints it. */
  readonly name: string;
  /** Source files (repository-relative) whose mutants count towards this module. */
  readonly files: readonly string[];
  /**
   * The suites that exercise these files in-process (globs, repository-relative). Stryker activates a
   * mutant inside the test process, so a suite that reaches the code only through a child process
   * (a CLI's own test) cannot kill it; such suites still run in `npm test`.
   */
  readonly tests: readonly string[];
}

export const MUTATION_SCORE_FLOOR = 80;

export const MUTATION_MODULES: readonly MutationModule[] = [
  {
    name: 'bank-api ledger',
    files: ['services/bank-api/src/ledger/ledger.ts'],
    tests: ['services/bank-api/test/ledger.test.ts'],
  },
  {
    name: 'bank-api request validation',
    files: [
      'services/bank-api/src/http/validation.ts',
      'services/bank-api/src/routes/schemas.ts',
      'services/bank-api/src/routes/cursor.ts',
      'services/bank-api/src/routes/idempotency.ts',
    ],
    tests: ['services/bank-api/test/request-validation.test.ts'],
  },
  {
    name: 'manifests publisher',
    files: ['scripts/manifests/publish.ts', 'scripts/manifests/render-tree.ts', 'scripts/manifests/git.ts'],
    tests: ['test/gitops/publish.test.ts', 'test/gitops/git.test.ts'],
  },
  {
    name: 'manifests diff',
    files: ['scripts/manifests/diff.ts'],
    // diff-worktree.test.ts runs manifestDiff with the committed manifests as the render (a second
    // per test). diff.test.ts renders with the charts (a minute per test here) and covers the same
    // lines, so every mutant there would wait for it; only the default renderer is left uncovered.
    tests: ['test/gitops/diff-format.test.ts', 'test/gitops/diff-worktree.test.ts'],
  },
  {
    name: 'WebService, NetworkPolicy and namespace constructs',
    files: [
      'charts/lib/web-service/web-service.ts',
      'charts/lib/web-service/network-policies.ts',
      'charts/lib/web-service/pod.ts',
      'charts/lib/web-service/props.ts',
      'charts/lib/namespace/workload-namespace.ts',
    ],
    // The suites that build the constructs inside each test. The others render once at import (their
    // it.each rows are the rendered objects), which makes every mutant "static": each one would re-run
    // all of them, about 40 s here, for ~500 mutants. They still run in `npm test`.
    tests: [
      'test/manifests/web-service-props.test.ts',
      'test/manifests/web-service-render.test.ts',
      'test/manifests/network-reachability.test.ts',
    ],
  },
  {
    name: 'compliance gate',
    files: ['platform/lib/compliance.ts'],
    tests: ['platform/test/compliance.test.ts'],
  },
  {
    name: 'environment config schema',
    files: ['platform/config/schema.ts'],
    tests: [
      'platform/config/config.test.ts',
      'platform/config/schema.test.ts',
      'platform/config/finops.test.ts',
    ],
  },
];

/** A module's name as a file name (reports, incremental state). */
export function moduleSlug(module: MutationModule): string {
  return module.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Environment variable through which the runner tells test/mutation/vitest.config.ts what to run. */
export const MUTATION_TESTS_ENV = 'BANK_MUTATION_TESTS';

/** Environment variable naming the checkout Stryker's sandbox was copied from (test/gitops/git-fixtures.ts). */
export const SOURCE_REPOSITORY_ENV = 'BANK_SOURCE_REPOSITORY';

/**
 * True inside `npm run test:mutation`. Stryker activates a mutant in the test process only: a test
 * that reaches the code through a child process (a CLI) always sees the unmutated code, so under
 * mutation it can kill nothing and only adds its run time to every mutant (about 55 s of the 80 s
 * the manifest suites take, 150 s of the publisher's). Such tests use `it.skipIf(underMutation)`;
 * `npm test` runs them as always.
 */
export const underMutation = process.env[MUTATION_TESTS_ENV] !== undefined;
