import { applyPhases, loadEnvironment, MANIFESTS_DIR, toYamlStream } from './manifests.js';
import { kubectl } from './run.js';

/** The field manager GitOps-style applies (and the drift check) use, so ownership is stable across runs. */
export const FIELD_MANAGER = 'bank-platform-gitops';

const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

export interface ApplyOptions {
  /** Validate and admit everything server-side without persisting it. */
  readonly dryRun?: boolean;
  /** Where the rendered environments live (manifests/ by default). */
  readonly root?: string;
}

export interface ApplyReport {
  readonly env: string;
  readonly objects: number;
  /** kubectl's per-object lines ("deployment.apps/bank-api serverside-applied"). */
  readonly applied: string[];
  /** Every "Warning:" line the API server sent back (unknown fields, deprecations, Pod Security). */
  readonly warnings: string[];
}

/**
 * Server-side applies one environment's rendered manifests in dependency order with strict field
 * validation: an unknown or duplicate field is an error, not a silently dropped value.
 */
export async function applyEnvironment(env: string, options: ApplyOptions = {}): Promise<ApplyReport> {
  const objects = loadEnvironment(env, options.root);
  const applied: string[] = [];
  const warnings: string[] = [];
  // Argo CD deletes a hook with this policy before creating it again (a Job's template is
  // immutable, so updating it in place would fail); do the same so a new release applies.
  const recreated = objects.filter(
    (o) => o.metadata.annotations?.[HOOK_DELETE_POLICY] === 'BeforeHookCreation',
  );
  if (recreated.length > 0 && !options.dryRun) {
    await kubectl(['delete', '--ignore-not-found', '--wait=true', '--timeout=120s', '-f', '-'], {
      input: toYamlStream(recreated),
    });
  }
  for (const phase of applyPhases(objects)) {
    // --force-conflicts: Git wins over hand edits, as in an Argo CD server-side sync.
    const args = [
      'apply',
      '--server-side',
      '--force-conflicts',
      `--field-manager=${FIELD_MANAGER}`,
      '--validate=strict',
      '-f',
      '-',
    ];
    if (options.dryRun) args.push('--dry-run=server');
    const result = await kubectl(args, { input: toYamlStream(phase) });
    applied.push(...result.stdout.split('\n').filter((line) => line.trim() !== ''));
    warnings.push(...result.stderr.split('\n').filter((line) => line.startsWith('Warning:')));
  }
  return { env, objects: objects.length, applied, warnings };
}

/**
 * Deletes everything an environment rendered (namespaces last) and waits until it is gone. No Argo CD
 * controller runs here to clear its cascade-delete finalizer from Applications, so it is removed first.
 */
export async function deleteEnvironment(env: string, root = MANIFESTS_DIR): Promise<void> {
  const objects = loadEnvironment(env, root);
  for (const app of objects.filter(
    (o) => o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/'),
  )) {
    await kubectl(
      [
        'patch',
        'applications.argoproj.io',
        app.metadata.name,
        '-n',
        app.metadata.namespace ?? 'argocd',
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ],
      { allowFailure: true },
    );
  }
  for (const phase of applyPhases(objects).reverse()) {
    await kubectl(['delete', '--ignore-not-found', '--wait=true', '--timeout=180s', '-f', '-'], {
      input: toYamlStream(phase),
    });
  }
}
