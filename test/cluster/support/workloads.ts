import { applyEnvironment } from './apply.js';
import { loadEnvironment, type RenderedObject, renderedEnvironments } from './manifests.js';
import { kubectl, kubectlJson } from './run.js';

/** The environment the workload and failover tests run on: prod when rendered (most replicas), else the last. */
export function demoEnvironment(): string {
  const envs = renderedEnvironments();
  if (envs.length === 0) {
    throw new Error("no rendered manifests under manifests/: run 'npm run synth:manifests' first");
  }
  return envs.includes('prod') ? 'prod' : (envs[envs.length - 1] as string);
}

type Labels = Record<string, string>;

/** A rendered Deployment or Argo Rollouts Rollout with what the demos need to know about it. */
export interface DeploymentUnderTest {
  readonly namespace: string;
  readonly name: string;
  /** What kubectl calls its kind: `deployment`, or `rollouts.argoproj.io` (the Rollouts controller runs it). */
  readonly resource: string;
  readonly matchLabels: Labels;
  readonly selector: string;
  /** Replicas the cluster must run: the HorizontalPodAutoscaler's minimum, else spec.replicas, else 1. */
  readonly minReplicas: number;
  /** The HorizontalPodAutoscaler that owns the replica count, if any. */
  readonly autoscaler?: string;
  readonly pdb?: {
    readonly name: string;
    readonly minAvailable?: string | number;
    readonly maxUnavailable?: string | number;
  };
  readonly services: readonly string[];
  readonly zoneMaxSkew?: number;
}

const matches = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

interface PodTemplateSpec {
  metadata?: { labels?: Labels };
  spec?: { topologySpreadConstraints?: { topologyKey: string; maxSkew: number }[] };
}

export function deploymentsOf(objects: readonly RenderedObject[]): DeploymentUnderTest[] {
  const inNamespace = (ns: string | undefined, kind: string) =>
    objects.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout')
    .map((deployment) => {
      const namespace = deployment.metadata.namespace ?? 'default';
      const spec = deployment.spec as {
        replicas?: number;
        selector: { matchLabels: Labels };
        template: PodTemplateSpec;
      };
      const hpa = inNamespace(namespace, 'HorizontalPodAutoscaler').find(
        (h) =>
          (h.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name ===
          deployment.metadata.name,
      );
      const podLabels = spec.template.metadata?.labels;
      const pdb = inNamespace(namespace, 'PodDisruptionBudget').find((p) =>
        matches((p.spec as { selector?: { matchLabels?: Labels } }).selector?.matchLabels, podLabels),
      );
      const services = inNamespace(namespace, 'Service')
        .filter((s) => matches((s.spec as { selector?: Labels }).selector, podLabels))
        .map((s) => s.metadata.name);
      const zone = spec.template.spec?.topologySpreadConstraints?.find(
        (c) => c.topologyKey === 'topology.kubernetes.io/zone',
      );
      const pdbSpec = pdb?.spec as
        | { minAvailable?: string | number; maxUnavailable?: string | number }
        | undefined;
      return {
        namespace,
        name: deployment.metadata.name,
        resource: deployment.kind === 'Rollout' ? 'rollouts.argoproj.io' : 'deployment',
        matchLabels: spec.selector.matchLabels,
        selector: Object.entries(spec.selector.matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        minReplicas: (hpa?.spec as { minReplicas?: number } | undefined)?.minReplicas ?? spec.replicas ?? 1,
        ...(hpa ? { autoscaler: hpa.metadata.name } : {}),
        ...(pdb && pdbSpec ? { pdb: { name: pdb.metadata.name, ...pdbSpec } } : {}),
        services,
        ...(zone ? { zoneMaxSkew: zone.maxSkew } : {}),
      };
    });
}

/** Pods a PDB insists on keeping, for a given replica count (percentages round up, as the disruption controller does). */
export function requiredHealthy(pdb: NonNullable<DeploymentUnderTest['pdb']>, replicas: number): number {
  const resolve = (value: string | number) =>
    typeof value === 'number' ? value : Math.ceil((Number.parseInt(value, 10) * replicas) / 100);
  if (pdb.minAvailable !== undefined) return resolve(pdb.minAvailable);
  if (pdb.maxUnavailable !== undefined) return replicas - resolve(pdb.maxUnavailable);
  return 0;
}

interface LiveDeployment {
  spec: { replicas?: number };
  status: { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; replicas?: number };
}

/** Waits until the Deployment runs at least `replicas` pods, all ready and available. */
export async function waitForDeployment(
  d: DeploymentUnderTest,
  replicas = d.minReplicas,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: LiveDeployment | undefined;
  while (Date.now() < deadline) {
    last = await kubectlJson<LiveDeployment>(['get', d.resource, d.name, '-n', d.namespace]);
    const want = last.spec.replicas ?? 0;
    const s = last.status;
    if (want >= replicas && s.availableReplicas === want && s.readyReplicas === want && s.replicas === want)
      return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${d.namespace}/${d.name} not available with ${replicas} replicas: ${JSON.stringify(last?.status)}`,
  );
}

/** Applies the demo environment (idempotent) and waits for every Deployment; what each cluster test file starts from. */
export async function ensureDemoEnvironment(): Promise<{ env: string; deployments: DeploymentUnderTest[] }> {
  const env = demoEnvironment();
  await kubectl(['uncordon', '-l', 'type=kwok']);
  // Warnings are apply.test.ts's to report; here they must not hide what the other files check.
  await applyEnvironment(env);
  const deployments = deploymentsOf(loadEnvironment(env));
  for (const d of deployments) await waitForDeployment(d);
  return { env, deployments };
}

export interface LivePod {
  metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string }[] };
}

export async function podsOf(d: DeploymentUnderTest): Promise<LivePod[]> {
  const list = await kubectlJson<{ items: LivePod[] }>(['get', 'pods', '-n', d.namespace, '-l', d.selector]);
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

export const isReady = (pod: LivePod): boolean =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Node name -> zone label of every node. */
export async function nodeZones(): Promise<Map<string, string>> {
  const nodes = await kubectlJson<{ items: { metadata: { name: string; labels: Labels } }[] }>([
    'get',
    'nodes',
  ]);
  return new Map(
    nodes.items.map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone'] ?? '']),
  );
}
