import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bankApiAnalysisTemplate } from '../../charts/bank-api/analysis.js';
import { CANARY_ANALYSIS_TEMPLATE } from '../../charts/bank-api/chart.js';
import { renderEnvironment } from '../../charts/render.js';
import { rawEnvironments } from '../../platform/config/environments.js';
import { parseEnvironment } from '../../platform/config/index.js';
import { BANK_API } from '../../platform/config/workloads.js';
import {
  ApiProcess,
  DrillPrometheus,
  Load,
  type PodLabels,
  prometheusProxy,
} from './support/canary-drill.js';
import { type RenderedObject, toYamlStream } from './support/manifests.js';
import { kubectl, kubectlJson } from './support/run.js';
import { ensureDemoEnvironment } from './support/workloads.js';

// The canary, live: the real Argo Rollouts controller (cluster:up) runs bank-api's Rollout and its
// AnalysisTemplate, both rendered by the chart code from dev's delivery config with short steps and
// windows (a drill, like the short alert windows), in a namespace of their own. kwok simulates the
// pods; for each canary pod a real bank-api process serves traffic and a real Prometheus scrapes it
// under the pod's labels; the controller queries that Prometheus under its in-cluster name through a
// proxy. A healthy canary must complete; a canary whose database refuses connections (5xx) must be
// aborted by the analysis with the stable image untouched.

const NAMESPACE = 'canary-drill';
const SCRIPTS = join(import.meta.dirname, 'scripts');
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** dev's delivery with drill-length pauses and windows: the same chart code renders both. */
function drillObjects(): RenderedObject[] {
  const raw = structuredClone(rawEnvironments.dev) as { bankApi: { delivery: unknown } };
  raw.bankApi.delivery = {
    kind: 'canary',
    trafficRouting: 'replicas',
    steps: [{ setWeight: 25 }, { pause: '20s' }, { setWeight: 50 }, { pause: '10s' }, { setWeight: 100 }],
    analysis: { startingStep: 1, interval: '5s', window: '10s', failureLimit: 1, minRequestsPerSecond: 0.5 },
  };
  const env = parseEnvironment('dev', raw);
  const rendered = renderEnvironment(env).files.flatMap((f) =>
    parseAllDocuments(f.content)
      .map((d) => d.toJS() as RenderedObject)
      .filter(Boolean),
  );
  const pick = (kind: string, name: string) => {
    const o = rendered.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`the render has no ${kind} ${name}`);
    return { ...o, metadata: { ...o.metadata, namespace: NAMESPACE } } as RenderedObject;
  };
  const rollout = pick('Rollout', BANK_API.name) as RenderedObject & { spec: Record<string, unknown> };
  // Two replicas; the HPA that owns the count in the environment is not part of the drill.
  rollout.spec = { ...rollout.spec, replicas: 2 };
  const delivery = env.bankApi.delivery;
  if (delivery.kind !== 'canary') throw new Error('dev must deliver by canary');
  const template = bankApiAnalysisTemplate({
    name: CANARY_ANALYSIS_TEMPLATE,
    namespace: NAMESPACE,
    rolloutName: BANK_API.name,
    labels: {},
    annotations: {},
    analysis: delivery.analysis,
  }) as unknown as RenderedObject;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } as RenderedObject,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: BANK_API.serviceAccount, namespace: NAMESPACE },
    } as RenderedObject,
    pick('Service', `${BANK_API.name}-stable`),
    pick('Service', `${BANK_API.name}-canary`),
    template,
    rollout,
  ];
}

interface LiveRollout {
  spec: { template: { spec: { containers: { image: string }[] } } };
  status?: {
    phase?: string;
    message?: string;
    abort?: boolean;
    stableRS?: string;
    currentPodHash?: string;
    currentStepIndex?: number;
  };
}

const rollout = () =>
  kubectlJson<LiveRollout>(['get', 'rollouts.argoproj.io', BANK_API.name, '-n', NAMESPACE]);

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const live = await rollout().catch(() => undefined);
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(live?.status)}`);
}

function controller(action: 'start' | 'stop', env = ''): void {
  const r = spawnSync('bash', [join(SCRIPTS, 'rollouts-controller.sh'), action], {
    env: { ...process.env, ROLLOUTS_CONTROLLER_ENV: env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`rollouts-controller.sh ${action}: ${r.stderr}`);
}

describe('canary analysis with the real Argo Rollouts controller and a real Prometheus', () => {
  let prometheus: DrillPrometheus;
  let proxy: Awaited<ReturnType<typeof prometheusProxy>>;
  const healthy: ApiProcess[] = [];
  const broken: ApiProcess[] = [];
  let load: Load;
  /** Which process stands in for which canary pod. */
  const assigned = new Map<string, ApiProcess>();
  let watching = true;

  /**
   * Gives every pod of the new revision (the canary ReplicaSet, once the hash moved past `previous`) a
   * process of the wanted kind, as a kubelet would start its container.
   */
  async function followCanaryPods(kind: 'healthy' | 'broken', previous: string | undefined): Promise<void> {
    const pool = kind === 'healthy' ? healthy : broken;
    while (watching) {
      const hash = (await rollout().catch(() => undefined))?.status?.currentPodHash;
      if (hash && hash !== previous) {
        const pods = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
          'get',
          'pods',
          '-n',
          NAMESPACE,
          '-l',
          `rollouts-pod-template-hash=${hash}`,
        ]).catch(() => ({ items: [] }));
        for (const pod of pods.items) {
          if (assigned.has(pod.metadata.name)) continue;
          const free = pool.find((p) => ![...assigned.values()].includes(p));
          if (free) assigned.set(pod.metadata.name, free);
        }
        prometheus.setTargets(
          [...assigned].map(([pod, p]) => ({
            address: p.metricsAddress,
            labels: { job: BANK_API.name, namespace: NAMESPACE, pod } satisfies PodLabels,
          })),
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  beforeAll(async () => {
    await ensureDemoEnvironment(); // the PriorityClass the pods name
    prometheus = await DrillPrometheus.start();
    proxy = await prometheusProxy(prometheus.url);
    // The controller reaches the in-cluster Prometheus name through the proxy; the API server
    // (loopback) is never proxied.
    controller('stop');
    controller('start', `HTTP_PROXY=${proxy.url} NO_PROXY=127.0.0.1,localhost`);
    for (const ok of [true, true, false, false]) (ok ? healthy : broken).push(await ApiProcess.start(ok));
    load = new Load([...healthy, ...broken], 5);
    void load.run();
    await kubectl(['apply', '--server-side', '--field-manager=canary-drill', '-f', '-'], {
      input: toYamlStream(drillObjects()),
    });
    await waitUntil(
      'the first revision Healthy',
      async () => ((await rollout()).status?.phase === 'Healthy' ? true : undefined),
      180_000,
    );
  }, 600_000);

  afterAll(async () => {
    watching = false;
    load?.stop();
    for (const p of [...healthy, ...broken]) p.stop();
    await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false'], { allowFailure: true });
    controller('stop');
    controller('start');
    proxy?.server.close();
    prometheus?.stop();
  });

  async function publish(image: string): Promise<number> {
    const t0 = Date.now();
    await kubectl([
      'patch',
      'rollouts.argoproj.io',
      BANK_API.name,
      '-n',
      NAMESPACE,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }]),
    ]);
    return t0;
  }

  it('a canary with healthy metrics passes its analysis and becomes stable', async () => {
    watching = true;
    const follower = followCanaryPods('healthy', (await rollout()).status?.currentPodHash);
    const image = `${rawEnvironments.dev?.bankApi.imageRepository}@sha256:${'1'.repeat(64)}`;
    const t0 = await publish(image);
    const done = await waitUntil(
      'the healthy canary to complete',
      async () => {
        const s = (await rollout()).status;
        if (s?.abort) throw new Error(`aborted: ${s.message}`);
        return s?.phase === 'Healthy' && s.stableRS === s.currentPodHash ? s : undefined;
      },
      300_000,
    );
    console.log(
      `canary passed: publish -> stable in ${seconds(t0)}s (steps 25% -> 20s -> 50% -> 10s -> 100%, analysis every 5s)`,
    );
    const runs = await kubectlJson<{ items: { status?: { phase?: string } }[] }>([
      'get',
      'analysisruns.argoproj.io',
      '-n',
      NAMESPACE,
    ]);
    expect(runs.items.map((r) => r.status?.phase)).toContain('Successful');
    expect((await rollout()).spec.template.spec.containers[0]?.image).toBe(image);
    expect(done.stableRS).toBeDefined();
    watching = false;
    await follower;
  });

  it('a canary answering with 5xx fails its analysis and is aborted, the stable image untouched', async () => {
    const before = (await rollout()).status?.stableRS;
    assigned.clear();
    watching = true;
    const follower = followCanaryPods('broken', before);
    const t0 = await publish(`${rawEnvironments.dev?.bankApi.imageRepository}@sha256:${'2'.repeat(64)}`);
    const aborted = await waitUntil(
      'the failing canary to be aborted',
      async () => {
        const s = (await rollout()).status;
        return s?.abort ? s : undefined;
      },
      300_000,
    );
    console.log(`canary aborted: publish -> abort in ${seconds(t0)}s (${aborted.message})`);
    expect(aborted.stableRS).toBe(before);
    const runs = await kubectlJson<{ items: { status?: { phase?: string } }[] }>([
      'get',
      'analysisruns.argoproj.io',
      '-n',
      NAMESPACE,
    ]);
    expect(runs.items.map((r) => r.status?.phase)).toContain('Failed');
    expect(
      load.statuses.get(503) ?? [...load.statuses.keys()].filter((c) => c >= 500).length,
    ).toBeGreaterThan(0);
    watching = false;
    await follower;
  });
});
