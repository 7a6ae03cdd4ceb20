import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { ARGOCD_NAMESPACE, MONITORING } from '../charts/lib/platform-contract.js';
import type { EnvironmentConfig } from '../platform/config/index.js';
import { ARGO_ROLLOUTS as ARGO_ROLLOUTS_WORKLOAD, BANK_API, GITOPS } from '../platform/config/workloads.js';
import { ARGO_ROLLOUTS, KUBE_PROMETHEUS_STACK, OPENTELEMETRY_COLLECTOR } from './versions.js';

// AppProjects: what each group of Applications may pull from, where it may deploy, and which kinds.
// Argo CD enforces them on every sync, so a wrong path or a hostile commit in the manifests branch
// cannot create objects outside its project (a ClusterRole from the workloads, say).

export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Group/kind pairs, as AppProject whitelists spell them ('' is the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Namespaced kinds the bank workloads render (charts/bank-api, charts/namespaces). Nothing else syncs. */
export const BANK_NAMESPACED_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'LimitRange' },
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'argoproj.io', kind: 'AnalysisTemplate' },
  { group: 'argoproj.io', kind: 'Rollout' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'batch', kind: 'Job' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  { group: 'monitoring.coreos.com', kind: 'PrometheusRule' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
];

/**
 * The cluster-scoped kinds the workloads own: their namespace (with its Pod Security labels) and the
 * PriorityClass their pods run at (platform/config/workloads.ts WORKLOAD_PRIORITY_CLASS).
 */
export const BANK_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
];

/**
 * Cluster-scoped kinds kube-prometheus-stack installs (CRDs, RBAC of its operators, its webhooks), and
 * the monitoring Namespace its Application creates (CreateNamespace with managed Pod Security labels:
 * Argo CD checks that Namespace against this list like any other object).
 */
export const PLATFORM_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/**
 * Namespaces the platform project may deploy to: the monitoring stack, the scrape Services of
 * kube-system, and the Argo Rollouts controller.
 */
export const PLATFORM_NAMESPACES = [
  MONITORING.namespace,
  'kube-system',
  ARGO_ROLLOUTS_WORKLOAD.namespace,
] as const;

/** Namespaces the bank project may deploy to: its own, plus its Grafana dashboard ConfigMap in monitoring. */
export const BANK_NAMESPACES = [BANK_API.namespace, MONITORING.namespace] as const;

const destinations = (namespaces: readonly string[]) =>
  namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace }));

/**
 * The project of the root Application and of everything in the bootstrap folder: it may only create
 * Applications and AppProjects in the argocd namespace, from this repository.
 */
export function bootstrapProject(env: EnvironmentConfig): AppProject {
  return new AppProject({
    metadata: { name: GITOPS.projects.bootstrap, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `Argo CD bootstrap of ${env.name}: the AppProjects and Applications in the manifests branch`,
      sourceRepos: [env.gitops.repoUrl],
      destinations: destinations([ARGOCD_NAMESPACE]),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    },
  });
}

/**
 * Cluster add-ons managed by Argo CD: kube-prometheus-stack and the OpenTelemetry collector, from their
 * pinned Helm repositories.
 */
export function platformProject(env: EnvironmentConfig): AppProject {
  return new AppProject({
    metadata: { name: GITOPS.projects.platform, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `Cluster add-ons of ${env.name} synced by Argo CD (monitoring, trace collector, Argo Rollouts)`,
      sourceRepos: [
        env.gitops.repoUrl,
        KUBE_PROMETHEUS_STACK.repoURL,
        OPENTELEMETRY_COLLECTOR.repoURL,
        ARGO_ROLLOUTS.repoURL,
      ],
      destinations: destinations(PLATFORM_NAMESPACES),
      clusterResourceWhitelist: PLATFORM_CLUSTER_KINDS.map((k) => ({ ...k })),
    },
  });
}

/** The bank's workloads: only the rendered manifests, only their namespaces and kinds. */
export function bankProject(env: EnvironmentConfig): AppProject {
  // Each window applies to every Application of the project (the workloads of this environment).
  const windows = env.gitops.syncWindows.map((w) => ({
    kind: w.kind,
    description: w.description,
    schedule: w.schedule,
    duration: w.duration,
    timeZone: w.timeZone,
    applications: ['*'],
    manualSync: w.manualSync,
  }));
  return new AppProject({
    metadata: { name: GITOPS.projects.bank, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: `The bank's workloads in ${env.name}, rendered by cdk8s into ${env.gitops.path}`,
      sourceRepos: [env.gitops.repoUrl],
      destinations: destinations(BANK_NAMESPACES),
      clusterResourceWhitelist: BANK_CLUSTER_KINDS.map((k) => ({ ...k })),
      namespaceResourceWhitelist: BANK_NAMESPACED_KINDS.map((k) => ({ ...k })),
      ...(windows.length > 0 ? { syncWindows: windows } : {}),
    },
  });
}
