import type { EnvironmentConfig } from './schema.js';
import { ADD_ON_NAMESPACES } from './workloads.js';

// Compute budgets of the add-on namespaces: a ResourceQuota on what the scheduler reserves (requests,
// pods, storage) and a LimitRange giving a request to every container a chart leaves without one, so
// the quota counts it. Declared once here; the cluster stack applies the argocd and external-secrets
// ones (Blueprints creates those namespaces), the namespaces chart renders the monitoring one (Argo CD
// creates that namespace). Limits are not quota'd: the add-on charts set memory limits where the repo
// configures them and no CPU limits, and a quota on limits would refuse every container without one.
//
// Figures are the requests the repository's Helm values set, for the largest environment (the
// production overlays), plus LimitRange defaults for containers without requests, plus a rolling
// update: each Deployment surges by one pod. test/gitops/add-on-budgets.test.ts recomputes the
// explicit part from the values files of every environment and keeps it inside these figures.

/** Requests given to containers that declare none (sidecars, init containers, charts' defaults). */
export const ADD_ON_CONTAINER_DEFAULT_REQUEST = { cpuMillis: 50, memoryMiB: 64 } as const;

export interface NamespaceBudget {
  readonly namespace: string;
  readonly pods: number;
  readonly cpuRequestMillis: number;
  readonly memoryRequestMiB: number;
  /** PersistentVolumeClaims and their total size; absent = the namespace may claim no storage. */
  readonly storage?: { readonly claims: number; readonly gib: number };
  /** How the figures were reached, for the reviewer. */
  readonly why: string;
}

/** Where the platform installs External Secrets (the Blueprints add-on's namespace). */
export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

/** Nodes the cluster can have at most: the system group plus the workload autoscaler's maximum. */
export const maxNodes = (env: EnvironmentConfig): number => env.nodes.systemNodeCount + env.nodes.maxCapacity;

export function addOnNamespaceBudgets(env: EnvironmentConfig): readonly NamespaceBudget[] {
  const nodes = maxNodes(env);
  return [
    {
      namespace: ADD_ON_NAMESPACES.argoCd,
      // Steady state with the production overlay: 2 controllers, 2 servers, 2 repo servers, 3
      // redis-ha pods, 3 haproxy pods, notifications, the redis secret-init hook Job = 14 pods.
      pods: 30,
      // Requests set in argocd/values*.yaml: controller 2 x 250m/512Mi, server 2 x 50m/128Mi, repo
      // server 2 x 50m/128Mi (dev: redis 50m/64Mi) = 700m/1.5Gi. Without requests (LimitRange
      // default 50m/64Mi per container): redis-ha 3 pods x 3 containers, haproxy 3, notifications,
      // hook Job = 14 containers = 700m/896Mi. A Helm upgrade surges controller, server, repo server
      // and notifications by one pod each: +400m/~830Mi. Total 1.8 cores / 3.2Gi, rounded up.
      cpuRequestMillis: 3000,
      memoryRequestMiB: 5120,
      why: 'argo-cd values (production overlay: HA redis, 2 controllers/servers/repo servers) plus one surge pod per Deployment',
    },
    {
      namespace: ADD_ON_NAMESPACES.monitoring,
      // Prometheus 2, Alertmanager 3, operator, Grafana 2, kube-state-metrics (9), one node-exporter per
      // node; room for the surge of the three Deployments and the chart's admission-webhook hook Jobs.
      pods: 20 + nodes,
      // Requests set in argocd/kube-prometheus-stack/values*.yaml (production): Prometheus 2 x 1/4Gi,
      // Alertmanager 3 x 50m/64Mi, operator 100m/128Mi, Grafana 2 x 100m/256Mi, kube-state-metrics
      // 50m/128Mi = 2.5 cores/8.9Gi; config reloaders and Grafana's dashboard sidecars at the
      // 50m/64Mi default (7 containers) = 350m/448Mi; surge of operator, Grafana and kube-state-metrics
      // = 300m/576Mi. Total 3.15 cores/9.9Gi; with the OpenTelemetry collector (argocd/
      // opentelemetry-collector: 1 x 100m/256Mi, surging by one) 3.35 cores/10.4Gi, rounded up to
      // 4 cores/12Gi. node-exporter (a DaemonSet, no surge): 20m/32Mi on each of up to `nodes` nodes.
      cpuRequestMillis: 4000 + 20 * nodes,
      memoryRequestMiB: 12_288 + 32 * nodes,
      // Prometheus 2 x 200Gi and Alertmanager 3 x 2Gi (production), gp3.
      storage: { claims: 5, gib: 450 },
      why: 'kube-prometheus-stack values (production overlay: 2 Prometheus, 3 Alertmanagers) plus node-exporter on every node the autoscaler may add',
    },
    {
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      // The chart's controller, webhook and cert controller, one pod each, no requests set by the
      // platform: 3 x 50m/64Mi by the LimitRange default, doubled for a rolling update.
      pods: 8,
      cpuRequestMillis: 500,
      memoryRequestMiB: 512,
      why: 'external-secrets chart defaults (3 Deployments, no requests set), each surging by one pod',
    },
  ];
}

/** One budget by namespace; an unknown namespace is a programming error. */
export function addOnNamespaceBudget(env: EnvironmentConfig, namespace: string): NamespaceBudget {
  const budget = addOnNamespaceBudgets(env).find((b) => b.namespace === namespace);
  if (!budget) throw new Error(`no compute budget declared for namespace '${namespace}'`);
  return budget;
}

/**
 * The ResourceQuota and LimitRange of one add-on namespace as plain Kubernetes objects (the cluster
 * stack applies them as manifests; the charts wrap them in their typed models).
 */
export function addOnGuardrails(
  budget: NamespaceBudget,
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>> = {},
) {
  const metadata = (name: string) => ({
    name,
    namespace: budget.namespace,
    labels: { ...labels },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  });
  return {
    quota: {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadata('compute'),
      spec: {
        hard: {
          pods: String(budget.pods),
          'requests.cpu': `${budget.cpuRequestMillis}m`,
          'requests.memory': `${budget.memoryRequestMiB}Mi`,
          persistentvolumeclaims: String(budget.storage?.claims ?? 0),
          'requests.storage': `${budget.storage?.gib ?? 0}Gi`,
          // The add-ons are reached inside the cluster (or through the Ingress); none opens a port on
          // the nodes or its own load balancer.
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        },
      },
    },
    limits: {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata('container-defaults'),
      spec: {
        limits: [
          {
            type: 'Container',
            // Only for containers that declare no request; no default limit, so no container the
            // chart leaves unlimited is given one it was not tested with.
            defaultRequest: {
              cpu: `${ADD_ON_CONTAINER_DEFAULT_REQUEST.cpuMillis}m`,
              memory: `${ADD_ON_CONTAINER_DEFAULT_REQUEST.memoryMiB}Mi`,
            },
          },
        ],
      },
    },
  };
}
