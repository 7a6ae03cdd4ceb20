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
}

export const MUTATION_SCORE_FLOOR = 80;

export const MUTATION_MODULES: readonly MutationModule[] = [
  { name: 'bank-api ledger', files: ['services/bank-api/src/ledger/ledger.ts'] },
  {
    name: 'bank-api request validation',
    files: [
      'services/bank-api/src/http/validation.ts',
      'services/bank-api/src/routes/schemas.ts',
      'services/bank-api/src/routes/cursor.ts',
      'services/bank-api/src/routes/idempotency.ts',
    ],
  },
  {
    name: 'manifests publisher and diff',
    files: [
      'scripts/manifests/publish.ts',
      'scripts/manifests/diff.ts',
      'scripts/manifests/render-tree.ts',
      'scripts/manifests/git.ts',
    ],
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
  },
  { name: 'compliance gate', files: ['platform/lib/compliance.ts'] },
  { name: 'environment config schema', files: ['platform/config/schema.ts'] },
];
