import { afterAll, describe, expect, it } from 'vitest';
import { readState } from '../../scripts/local/state.js';
import {
  application,
  bankApplication,
  deploymentImages,
  digestImage,
  git,
  kubectlJson,
  platformEnv,
  publish,
  userClone,
  waitFor,
} from './support/platform.js';

// Merge = deploy, as a user does it: in a clone of this repository, `manifests:publish --push` a new
// image digest to the manifests branch; Argo CD (told by the push webhook) syncs it and the
// workload's image changes. In an environment that delivers by canary the real Argo Rollouts
// controller runs the canary: its AnalysisRun queries local:up's Prometheus, which scrapes a real
// bank-api process per simulated pod (scripts/local/pod-processes.ts). Publishing the previous digest
// rolls back the same way. A canary whose pods fail is aborted on the stable image in
// test/cluster/canary.test.ts (same controller, same AnalysisTemplate code): here its recovery waits
// out Argo CD's retries of the failed sync (about 5 minutes), too long for every CI run.

const env = platformEnv();
const clone = userClone();
afterAll(() => clone.remove());

const DEPLOY_TIMEOUT_MS = 300_000;
const canary = env.bankApi.delivery.kind === 'canary';
const NAMESPACE = 'bank';

interface LiveAnalysisRun {
  metadata: { name: string; creationTimestamp: string };
  status?: { phase?: string; message?: string; startedAt?: string };
}

interface LiveRollout {
  status?: { abort?: boolean; phase?: string; message?: string; stableRS?: string; currentPodHash?: string };
}

function rollout(): LiveRollout {
  return kubectlJson<LiveRollout>(['get', 'rollouts.argoproj.io', 'bank-api', '-n', NAMESPACE]);
}

/** The newest AnalysisRun of the Rollout: the canary's verdict. */
function latestAnalysisRun(): LiveAnalysisRun | undefined {
  const runs = kubectlJson<{ items: LiveAnalysisRun[] }>([
    'get',
    'analysisruns.argoproj.io',
    '-n',
    NAMESPACE,
  ]);
  return runs.items
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))
    .at(-1);
}

function printCanaryDecision(what: string, t0: number): void {
  if (!canary) return;
  const run = latestAnalysisRun();
  console.log(
    `canary (${what}): decided ${((Date.now() - t0) / 1000).toFixed(1)}s after publish; analysis ${run?.metadata.name} ${run?.status?.phase ?? '(none)'}${run?.status?.message ? `: ${run.status.message}` : ''}`,
  );
}

async function deployed(image: string, timeoutMs = DEPLOY_TIMEOUT_MS): Promise<number> {
  const { seconds } = await waitFor(
    `${image} in the Deployment, ${bankApplication(env)} Synced and Healthy`,
    () => {
      const app = application(bankApplication(env));
      // A paused canary waits for a person; say why at once instead of waiting for the timeout.
      const paused = canary ? rollout().status : undefined;
      if (paused?.message?.includes('InconclusiveAnalysisRun')) {
        throw new Error(`the canary's analysis was inconclusive: ${latestAnalysisRun()?.status?.message}`);
      }
      return (
        deploymentImages('bank', 'bank-api').every((i) => i === image) &&
        app?.sync === 'Synced' &&
        app.health === 'Healthy'
      );
    },
    timeoutMs,
    () => JSON.stringify(application(bankApplication(env)), null, 2),
  );
  return seconds;
}

describe(`merge = deploy in ${env.name}`, () => {
  const previous = readState()?.image as string;
  const next = digestImage(env, `release ${Date.now()}`);

  const commits = () => Number(git(['rev-list', '--count', 'local/manifests'], clone.dir));
  let startCount = 0;

  it('publishing a new digest deploys it', async () => {
    expect(deploymentImages('bank', 'bank-api')).toEqual([previous]);
    git(['fetch', '--quiet', 'local', 'manifests'], clone.dir);
    startCount = commits();
    const before = git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir);
    const t0 = Date.now();
    const result = publish(clone.dir, env, next);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('pushed');
    expect(git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir)).not.toBe(before);
    await deployed(next);
    printCanaryDecision('promoted', t0);
    console.log(`deploy: publish -> new image running in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  it('publishing the same digest again changes nothing', () => {
    const before = git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir);
    const result = publish(clone.dir, env, next);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('nothing to commit');
    expect(git(['ls-remote', 'local', 'refs/heads/manifests'], clone.dir)).toBe(before);
  });

  it('publishing the previous digest rolls back', async () => {
    const t0 = Date.now();
    const result = publish(clone.dir, env, previous);
    expect(result.code, result.stderr).toBe(0);
    await deployed(previous);
    printCanaryDecision('rollback promoted', t0);
    console.log(`rollback: publish -> previous image running in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    // Two publishes that changed something, two commits on top: history is never rewritten.
    expect(commits()).toBe(startCount + 2);
  });
});
