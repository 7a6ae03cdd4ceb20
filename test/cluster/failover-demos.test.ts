import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEnvironment } from './support/apply.js';
import { environmentDirs } from './support/manifests.js';
import { DEMOS_DIR } from './support/paths.js';
import { kubectl, kubectlJson, type RunResult, run } from './support/run.js';
import { ReadyCountWatcher } from './support/watch.js';
import {
  type DeploymentUnderTest,
  ensureDemoEnvironment,
  isReady,
  type LivePod,
  nodeZones,
  podsOf,
  requiredHealthy,
  waitForDeployment,
} from './support/workloads.js';

// Each demo runs the very script docs/runbooks/failover-demos.md tells an operator to run.
const demo = (script: string, args: readonly string[], allowFailure = false): Promise<RunResult> =>
  run('bash', [join(DEMOS_DIR, script), ...args], { allowFailure });

async function replicasOf(d: DeploymentUnderTest): Promise<number> {
  const live = await kubectlJson<{ spec: { replicas: number } }>([
    'get',
    d.resource,
    d.name,
    '-n',
    d.namespace,
  ]);
  return live.spec.replicas;
}

/** Why pods are not running, for failure messages: the scheduler's verdict on each pending pod. */
async function pendingReasons(d: DeploymentUnderTest): Promise<string[]> {
  const pods = await podsOf(d);
  return pods
    .filter((p: LivePod) => p.status.phase === 'Pending')
    .map((p) => {
      const scheduled = (p.status.conditions as { type: string; message?: string }[] | undefined)?.find(
        (c) => c.type === 'PodScheduled',
      );
      return `${p.metadata.name}: ${scheduled?.message ?? 'pending'}`;
    });
}

async function expectAvailable(d: DeploymentUnderTest, timeoutMs: number): Promise<void> {
  try {
    await waitForDeployment(d, d.minReplicas, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\npending pods:\n${(await pendingReasons(d)).join('\n')}`);
  }
}

describe('failover demos', () => {
  let env: string;
  let d: DeploymentUnderTest;
  let watchers: ReadyCountWatcher[] = [];

  const watchPods = async (expected: number) => {
    const watcher = ReadyCountWatcher.readyPods(d.namespace, d.selector);
    watchers.push(watcher);
    await watcher.started(expected);
    return watcher;
  };
  const watchEndpoints = async (service: string, expected: number) => {
    const watcher = ReadyCountWatcher.readyEndpoints(d.namespace, service);
    watchers.push(watcher);
    await watcher.started(expected);
    return watcher;
  };

  beforeAll(async () => {
    const setup = await ensureDemoEnvironment();
    env = setup.env;
    const candidate = setup.deployments.find(
      (x) => x.pdb && x.services.length > 0 && x.zoneMaxSkew !== undefined,
    );
    if (!candidate)
      throw new Error(`no Deployment in '${env}' has a PodDisruptionBudget, a Service and a zone spread`);
    d = candidate;
  });

  afterAll(async () => {
    for (const w of watchers) w.stop();
    watchers = [];
    await kubectl(['uncordon', '-l', 'type=kwok'], { allowFailure: true });
  });

  it('delete a pod: a replacement becomes ready and the Service never loses more than that pod', async () => {
    const replicas = await replicasOf(d);
    const before = (await podsOf(d)).filter(isReady).map((p) => p.metadata.name);
    const endpoints = await watchEndpoints(d.services[0] as string, replicas);

    const result = await demo('delete-pod.sh', [d.namespace, d.name, '120']);

    expect(result.stdout).toMatch(/ready again: \d+\/\d+ pods ready/);
    const after = (await podsOf(d)).filter(isReady).map((p) => p.metadata.name);
    expect(after).toHaveLength(replicas);
    expect(after.filter((name) => !before.includes(name))).toHaveLength(1);
    expect(endpoints.minimum).toBeGreaterThanOrEqual(replicas - 1);
    endpoints.stop();
  });

  it('drain a node: the PodDisruptionBudget holds throughout', async () => {
    const replicas = await replicasOf(d);
    const required = requiredHealthy(d.pdb as NonNullable<DeploymentUnderTest['pdb']>, replicas);
    const pdb = await kubectlJson<{ status: { disruptionsAllowed: number; desiredHealthy: number } }>([
      'get',
      'poddisruptionbudget',
      (d.pdb as { name: string }).name,
      '-n',
      d.namespace,
    ]);
    expect(pdb.status.desiredHealthy).toBe(required);
    expect(pdb.status.disruptionsAllowed).toBe(replicas - required);

    const node = (await podsOf(d)).find(isReady)?.spec.nodeName as string;
    const ready = await watchPods(replicas);
    try {
      const result = await demo('drain-node.sh', [node, '180']);
      expect(result.stdout).toContain(`node/${node} drained`);
      expect((await podsOf(d)).filter((p) => p.spec.nodeName === node)).toEqual([]);
      await expectAvailable(d, 120_000);
      expect(ready.minimum, ready.events.join('\n')).toBeGreaterThanOrEqual(required);
    } finally {
      ready.stop();
      await kubectl(['uncordon', node]);
    }
  });

  it('lose a zone: pods reschedule into the other zones and the Service keeps ready endpoints', async () => {
    const zones = await nodeZones();
    const replicas = await replicasOf(d);
    const required = requiredHealthy(d.pdb as NonNullable<DeploymentUnderTest['pdb']>, replicas);
    const zone = zones.get((await podsOf(d)).find(isReady)?.spec.nodeName as string) as string;
    const endpoints = await watchEndpoints(d.services[0] as string, replicas);
    try {
      const result = await demo('zone-outage.sh', [zone, '300']);
      expect(result.stdout).toContain(`zone ${zone} drained`);
      await expectAvailable(d, 120_000);
      const pods = (await podsOf(d)).filter(isReady);
      expect(pods.map((p) => zones.get(p.spec.nodeName as string))).not.toContain(zone);
      expect(new Set(pods.map((p) => zones.get(p.spec.nodeName as string))).size).toBe(2);
      expect(endpoints.minimum, endpoints.events.join('\n')).toBeGreaterThanOrEqual(Math.max(required, 1));
    } finally {
      endpoints.stop();
      await demo('zone-restore.sh', [zone]);
    }
  });

  // Argo CD's own revert of the same edit (self-heal, no sync by hand) is proven on the local GitOps
  // platform: test/local-platform/self-heal.test.ts. Here, without Argo CD, the check is the detection.
  it('a hand edit that a GitOps sync would undo is detected as drift, and re-applying Git clears it', async () => {
    const dirs = environmentDirs(env);
    const inSync = await demo('drift-check.sh', dirs, true);
    expect(inSync.stdout, inSync.stderr).toContain('in sync');
    expect(inSync.code).toBe(0);

    // A `kubectl scale` is not drift from Git (the Deployment leaves replicas to the autoscaler) and
    // the autoscaler undoes it; raising the autoscaler's minimum is the hand edit that sticks.
    if (!d.autoscaler) throw new Error(`${d.name} has no HorizontalPodAutoscaler to edit`);
    await demo('scale-by-hand.sh', [d.namespace, d.autoscaler, String(d.minReplicas + 1)]);
    const drifted = await demo('drift-check.sh', dirs, true);
    expect(drifted.code, drifted.stderr).toBe(1);
    expect(drifted.stdout).toMatch(new RegExp(`-\\s+minReplicas: ${d.minReplicas + 1}`));
    expect(drifted.stdout).toMatch(new RegExp(`\\+\\s+minReplicas: ${d.minReplicas}`));
    expect(drifted.stdout).toContain('DRIFT');

    // Cleanup for the files that run next (on EKS and on the local platform, Argo CD does this).
    const report = await applyEnvironment(env);
    expect(report.warnings).toEqual([]);
    const synced = await demo('drift-check.sh', dirs, true);
    expect(synced.code, synced.stdout).toBe(0);

    // The autoscaler only scales back down after its 5-minute stabilisation window; do it now so
    // the files that run next see the minimum again.
    await kubectl(['scale', d.resource, d.name, '-n', d.namespace, `--replicas=${d.minReplicas}`]);
    await waitForDeployment(d);
  });
});
