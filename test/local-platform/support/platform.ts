import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workloadsApplicationName } from '../../../argocd/applications.js';
import { type EnvironmentConfig, loadEnvironment } from '../../../platform/config/index.js';
import { type ApplicationStatus, applicationStatuses } from '../../../scripts/local/bootstrap-status.js';
import { kubectl, kubectlJson } from '../../../scripts/local/kube.js';
import { GIT_REPOSITORY, LOCAL_REPO_URL, REPO_ROOT } from '../../../scripts/local/layout.js';
import { readState } from '../../../scripts/local/state.js';

// What the live GitOps tests share: the running local platform (npm run local:up), a clone of this
// repository that publishes to it as a user would, and waits on what the real Argo CD reports.

export function platformEnv(): EnvironmentConfig {
  const state = readState();
  if (state?.readyInSeconds === undefined)
    throw new Error("the local platform is not up: run 'npm run local:up' first");
  return loadEnvironment(state.env);
}

export const bankApplication = (env: EnvironmentConfig) => workloadsApplicationName(env);

export function git(args: readonly string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A user's clone of this repository whose `local` remote is the local platform's Git server. */
export function userClone(): { dir: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'gitops-user-'));
  const dir = join(parent, 'bank-platform');
  git(['clone', '--quiet', REPO_ROOT, dir], parent);
  git(['remote', 'add', 'local', GIT_REPOSITORY], dir);
  // What `npm ci` would install there; the clone runs its own scripts with it.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run manifests:publish` as a user runs it against the local platform, from `cwd`. */
export function publish(cwd: string, env: EnvironmentConfig, image: string): CliResult {
  const r = spawnSync(
    join(cwd, 'node_modules', '.bin', 'tsx'),
    [
      'scripts/manifests/publish-cli.ts',
      '--env',
      env.name,
      '--image',
      image,
      '--push',
      '--remote',
      'local',
      '--repo-url',
      LOCAL_REPO_URL,
    ],
    { cwd, encoding: 'utf8' },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const digestImage = (env: EnvironmentConfig, seed: string): string => {
  const hex = spawnSync('sha256sum', { input: seed, encoding: 'utf8' }).stdout.slice(0, 64);
  return `${env.bankApi.imageRepository}@sha256:${hex}`;
};

export function application(name: string): ApplicationStatus | undefined {
  return applicationStatuses().find((a) => a.name === name);
}

interface LiveDeployment {
  spec: { template: { spec: { containers: { name: string; image: string }[] } } };
  status: { updatedReplicas?: number; availableReplicas?: number; replicas?: number };
}

/**
 * Images of the pod template of the service's Deployment, or of its Rollout when the environment
 * delivers by canary (the Rollout then points at the new image only once the canary completed).
 */
export function deploymentImages(namespace: string, name: string): string[] {
  const canary = platformEnv().bankApi.delivery.kind === 'canary';
  const d = kubectlJson<LiveDeployment>([
    'get',
    canary ? 'rollouts.argoproj.io' : 'deployment',
    name,
    '-n',
    namespace,
  ]);
  const images = d.spec.template.spec.containers.map((c) => c.image);
  if (!canary) return images;
  // The Rollout's spec changes at once; it is deployed when the stable ReplicaSet is that revision.
  const status = (d as { status?: { stableRS?: string; currentPodHash?: string } }).status;
  return status?.stableRS !== undefined && status.stableRS === status.currentPodHash ? images : [];
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<{ value: T; seconds: number }> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const value = probe();
    if (value !== undefined && value !== false) return { value, seconds: (Date.now() - t0) / 1000 };
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}\n${describe()}`);
}

export { kubectl, kubectlJson };
