import { describe, expect, it } from 'vitest';
import { argoCdValues } from '../../argocd/helm-values.js';
import { kubePrometheusStackValues } from '../../argocd/monitoring-values.js';
import { traceCollectorValues } from '../../argocd/trace-collector-values.js';
import {
  ADD_ON_CONTAINER_DEFAULT_REQUEST,
  addOnGuardrails,
  addOnNamespaceBudget,
  addOnNamespaceBudgets,
  EXTERNAL_SECRETS_NAMESPACE,
  maxNodes,
} from '../../platform/config/add-on-budgets.js';
import { loadEnvironments } from '../../platform/config/index.js';
import { ADD_ON_NAMESPACES } from '../../platform/config/workloads.js';
import { rowsOf } from '../manifests/rendered.js';

// The add-on namespaces' quotas against the Helm values they must admit: the requests this repository
// sets, recomputed from the values files of every environment, must fit with room for what the charts
// leave unset (LimitRange defaults) and a rolling update. A values change that outgrows the quota
// fails here, not as pods refused by the API server during a sync.

type Values = Record<string, unknown>;
const at = (values: Values, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Values | undefined)?.[key], values);

/** "250m" or "1" cores to millicores; "512Mi" or "4Gi" to MiB. */
const millis = (cpu: unknown) =>
  String(cpu).endsWith('m') ? Number.parseInt(String(cpu), 10) : Number(cpu) * 1000;
const mebibytes = (memory: unknown) => {
  const text = String(memory);
  if (text.endsWith('Gi')) return Number.parseFloat(text) * 1024;
  if (text.endsWith('Mi')) return Number.parseFloat(text);
  throw new Error(`unexpected memory quantity ${text}`);
};

interface Component {
  /** Path of the component's `resources` in the values. */
  readonly resources: string;
  /** Path of its replica count, or a fixed count (a chart default, or nodes for a DaemonSet). */
  readonly replicas: string | number;
  /** Whether the component is rendered at all in this environment. */
  readonly enabled?: string;
}

function explicitRequests(values: Values, components: readonly Component[]) {
  let cpu = 0;
  let memory = 0;
  for (const c of components) {
    if (c.enabled !== undefined && at(values, c.enabled) !== true) continue;
    const requests = at(values, `${c.resources}.requests`) as { cpu: string; memory: string };
    expect(requests, `${c.resources}.requests is set`).toBeDefined();
    const replicas = typeof c.replicas === 'number' ? c.replicas : ((at(values, c.replicas) as number) ?? 1);
    cpu += replicas * millis(requests.cpu);
    memory += replicas * mebibytes(requests.memory);
  }
  return { cpu, memory };
}

const environments = loadEnvironments();

describe('add-on namespace budgets', () => {
  it.each(rowsOf(environments, 'environments').map((env) => [env.name, env] as const))(
    '%s: Argo CD fits its quota twice over (every Deployment may surge during an upgrade)',
    (_name, env) => {
      const values = argoCdValues(env.name);
      const explicit = explicitRequests(values, [
        { resources: 'controller.resources', replicas: 'controller.replicas' },
        { resources: 'server.resources', replicas: 'server.replicas' },
        { resources: 'repoServer.resources', replicas: 'repoServer.replicas' },
        // Plain redis runs where redis-ha does not (dev); redis-ha sets no requests (defaults below).
        { resources: 'redis.resources', replicas: 1, enabled: 'redis.enabled' },
      ]);
      const budget = addOnNamespaceBudget(env, ADD_ON_NAMESPACES.argoCd);
      // redis-ha: 3 pods x 3 containers, haproxy 3, notifications, the secret-init Job, at the default.
      const unset = 14;
      expect(2 * explicit.cpu + unset * ADD_ON_CONTAINER_DEFAULT_REQUEST.cpuMillis).toBeLessThanOrEqual(
        budget.cpuRequestMillis,
      );
      expect(2 * explicit.memory + unset * ADD_ON_CONTAINER_DEFAULT_REQUEST.memoryMiB).toBeLessThanOrEqual(
        budget.memoryRequestMiB,
      );
    },
  );

  it.each(rowsOf(environments, 'environments').map((env) => [env.name, env] as const))(
    '%s: kube-prometheus-stack and the trace collector fit their quota with room for sidecars and the Deployments surging',
    (_name, env) => {
      const values = kubePrometheusStackValues(env) as Values;
      const nodes = maxNodes(env);
      const explicit = explicitRequests(values, [
        { resources: 'prometheus.prometheusSpec.resources', replicas: 'prometheus.prometheusSpec.replicas' },
        {
          resources: 'alertmanager.alertmanagerSpec.resources',
          replicas: 'alertmanager.alertmanagerSpec.replicas',
        },
        { resources: 'prometheusOperator.resources', replicas: 1 },
        { resources: 'grafana.resources', replicas: 'grafana.replicas' },
        { resources: 'kube-state-metrics.resources', replicas: 1 },
        { resources: 'prometheus-node-exporter.resources', replicas: nodes },
      ]);
      // The OpenTelemetry collector (argocd/opentelemetry-collector) runs in the same namespace.
      const collector = explicitRequests(traceCollectorValues(env), [
        { resources: 'resources', replicas: 'replicaCount' },
      ]);
      const budget = addOnNamespaceBudget(env, ADD_ON_NAMESPACES.monitoring);
      // Reloaders, dashboard sidecars and the surge pods of the Deployments: at least 25 % headroom.
      expect((explicit.cpu + collector.cpu) * 1.25).toBeLessThanOrEqual(budget.cpuRequestMillis);
      expect((explicit.memory + collector.memory) * 1.1).toBeLessThanOrEqual(budget.memoryRequestMiB);
      // Every claim the StatefulSets make, at their configured sizes.
      const claims =
        ((at(values, 'prometheus.prometheusSpec.replicas') as number) ?? 1) +
        ((at(values, 'alertmanager.alertmanagerSpec.replicas') as number) ?? 1);
      const gib =
        ((at(values, 'prometheus.prometheusSpec.replicas') as number) ?? 1) *
          Number.parseInt(
            String(
              at(
                values,
                'prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage',
              ),
            ),
            10,
          ) +
        ((at(values, 'alertmanager.alertmanagerSpec.replicas') as number) ?? 1) *
          Number.parseInt(
            String(
              at(
                values,
                'alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage',
              ),
            ),
            10,
          );
      expect(claims).toBeLessThanOrEqual(budget.storage?.claims ?? 0);
      expect(gib).toBeLessThanOrEqual(budget.storage?.gib ?? 0);
      // One node-exporter per node, plus the fixed pods.
      expect(budget.pods).toBeGreaterThanOrEqual(
        nodes + 9 + 2 * ((at(traceCollectorValues(env), 'replicaCount') as number) ?? 1),
      );
    },
  );

  it.each(rowsOf(environments, 'environments').map((env) => [env.name, env] as const))(
    '%s: budgets exist for exactly the three add-on namespaces, and their objects say what the budget says',
    (_name, env) => {
      const budgets = addOnNamespaceBudgets(env);
      expect(budgets.map((b) => b.namespace).sort()).toEqual(
        [ADD_ON_NAMESPACES.argoCd, EXTERNAL_SECRETS_NAMESPACE, ADD_ON_NAMESPACES.monitoring].sort(),
      );
      for (const budget of budgets) {
        const { quota, limits } = addOnGuardrails(budget, { 'app.kubernetes.io/part-of': 'bank-platform' });
        expect(quota.metadata.namespace).toBe(budget.namespace);
        expect(quota.spec.hard).toMatchObject({
          pods: String(budget.pods),
          'requests.cpu': `${budget.cpuRequestMillis}m`,
          'requests.memory': `${budget.memoryRequestMiB}Mi`,
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        });
        // No quota on limits: it would refuse every container a chart leaves without one.
        expect(Object.keys(quota.spec.hard).filter((k) => k.startsWith('limits.'))).toEqual([]);
        expect(limits.spec.limits).toEqual([
          { type: 'Container', defaultRequest: { cpu: '50m', memory: '64Mi' } },
        ]);
        expect(budget.why.length).toBeGreaterThan(0);
      }
    },
  );

  it('refuses a namespace without a budget', () => {
    const [env] = environments;
    if (!env) throw new Error('no environment');
    expect(() => addOnNamespaceBudget(env, 'kube-system')).toThrow(
      "no compute budget declared for namespace 'kube-system'",
    );
  });
});
