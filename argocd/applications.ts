import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { stringify } from 'yaml';
import { ARGOCD_NAMESPACE, MONITORING } from '../charts/lib/platform-contract.js';
import type { EnvironmentConfig } from '../platform/config/index.js';
import {
  ARGO_ROLLOUTS as ARGO_ROLLOUTS_WORKLOAD,
  BANK_API,
  GITOPS,
  TRACE_COLLECTOR,
} from '../platform/config/workloads.js';
import { bootstrapPath, workloadsPath } from './layout.js';
import { kubePrometheusStackValues } from './monitoring-values.js';
import { IN_CLUSTER } from './projects.js';
import { rolloutsValues } from './rollouts-values.js';
import { traceCollectorValues } from './trace-collector-values.js';
import { ARGO_ROLLOUTS, KUBE_PROMETHEUS_STACK, OPENTELEMETRY_COLLECTOR } from './versions.js';

// The Applications of one cluster. Sync waves order them inside the root Application: AppProjects
// (-1), then monitoring (0: its CRDs must exist before the workloads' ServiceMonitors and
// PrometheusRules), then the workloads (1). Argo CD waits for each wave to be healthy, which for an
// Application needs the Application health check configured in argocd/values.yaml.

export const BOOTSTRAP_SYNC_WAVE = { projects: '-1', monitoring: '0', workloads: '1' } as const;

/**
 * Deleting an Application deletes what it deployed (the default is to orphan it). The
 * domain-qualified form with a path is what the API server accepts without a warning.
 */
const CASCADE_DELETE = 'resources-finalizer.argocd.argoproj.io/foreground';

/** The two Argo CD objects the cluster stack creates itself; everything else syncs from the branch. */
export const GITOPS_ROOT = {
  application: GITOPS.rootApplication,
  project: GITOPS.projects.bootstrap,
} as const;

/**
 * The root of the app-of-apps: the environment's bootstrap folder (AppProjects and Applications) in
 * the manifests branch. The CDK cluster stack applies this object (after the `bootstrap` AppProject);
 * the local GitOps platform applies the same one, so both test one definition.
 */
export function rootApplication(env: EnvironmentConfig): Application {
  return new Application({
    metadata: { name: GITOPS_ROOT.application, namespace: ARGOCD_NAMESPACE, finalizers: [CASCADE_DELETE] },
    spec: {
      project: GITOPS_ROOT.project,
      // No `directory` block: Argo CD drops an all-default one from the live object, and the parent
      // would then see a difference it can never sync away.
      source: { repoURL: env.gitops.repoUrl, targetRevision: env.gitops.branch, path: bootstrapPath(env) },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['PruneLast=true'],
        retry: structuredClone(GITOPS.retry),
      },
    },
  });
}

/** Name of the Application that deploys an environment directory. */
export const workloadsApplicationName = (env: EnvironmentConfig): string => `bank-${env.name}`;

/**
 * The environment's workloads: the directory of rendered manifests in the manifests branch. Automated
 * sync with prune and self-heal: the branch is the only way to change what runs.
 */
export function workloadsApplication(env: EnvironmentConfig): Application {
  return new Application({
    metadata: {
      name: workloadsApplicationName(env),
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'argocd.argoproj.io/sync-wave': BOOTSTRAP_SYNC_WAVE.workloads },
      finalizers: [CASCADE_DELETE],
    },
    spec: {
      project: GITOPS.projects.bank,
      source: {
        repoURL: env.gitops.repoUrl,
        targetRevision: env.gitops.branch,
        path: workloadsPath(env),
      },
      // Every rendered object names its namespace; the destination is still required, since the bank
      // project only admits its own namespaces (an empty one matches none of them).
      destination: { server: IN_CLUSTER, namespace: BANK_API.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true, allowEmpty: false },
        syncOptions: [
          // Delete removed objects only after everything else is healthy.
          'PruneLast=true',
          // Refuse to take over an object another Application already manages.
          'FailOnSharedResource=true',
        ],
        retry: structuredClone(GITOPS.retry),
      },
      revisionHistoryLimit: 10,
    },
  });
}

/**
 * kube-prometheus-stack from its pinned chart, values rendered in (kept in this repository), into the
 * monitoring namespace.
 */
export function monitoringApplication(env: EnvironmentConfig): Application {
  return new Application({
    metadata: {
      name: KUBE_PROMETHEUS_STACK.releaseName,
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'argocd.argoproj.io/sync-wave': BOOTSTRAP_SYNC_WAVE.monitoring },
      // No cascade-delete finalizer: deleting this Application must not delete the CRDs, which would
      // take every ServiceMonitor and PrometheusRule of every workload with them.
    },
    spec: {
      project: GITOPS.projects.platform,
      source: {
        repoURL: KUBE_PROMETHEUS_STACK.repoURL,
        chart: KUBE_PROMETHEUS_STACK.chart,
        targetRevision: KUBE_PROMETHEUS_STACK.version,
        helm: {
          releaseName: KUBE_PROMETHEUS_STACK.releaseName,
          valuesObject: kubePrometheusStackValues(env),
        },
      },
      destination: { server: IN_CLUSTER, namespace: MONITORING.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [
          'CreateNamespace=true',
          // The operator's CRDs exceed the 256 KiB last-applied annotation of client-side apply.
          'ServerSideApply=true',
          'PruneLast=true',
          'RespectIgnoreDifferences=true',
        ],
        // node-exporter needs host namespaces and paths, which only "privileged" admits; audit and warn
        // still report everything that is not "restricted".
        managedNamespaceMetadata: {
          labels: {
            'pod-security.kubernetes.io/enforce': 'privileged',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
        retry: structuredClone(GITOPS.retry),
      },
      revisionHistoryLimit: 10,
    },
  });
}

/**
 * The OpenTelemetry collector from its pinned chart, values rendered in, beside Prometheus in the
 * monitoring namespace (which the monitoring Application of the same wave creates).
 * bank-api exports its spans to it; it exports to AWS X-Ray (docs/observability.md, "Traces").
 */
export function traceCollectorApplication(env: EnvironmentConfig): Application {
  return new Application({
    metadata: {
      name: OPENTELEMETRY_COLLECTOR.releaseName,
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'argocd.argoproj.io/sync-wave': BOOTSTRAP_SYNC_WAVE.monitoring },
      finalizers: [CASCADE_DELETE],
    },
    spec: {
      project: GITOPS.projects.platform,
      source: {
        repoURL: OPENTELEMETRY_COLLECTOR.repoURL,
        chart: OPENTELEMETRY_COLLECTOR.chart,
        targetRevision: OPENTELEMETRY_COLLECTOR.version,
        helm: {
          releaseName: OPENTELEMETRY_COLLECTOR.releaseName,
          // A YAML string, not valuesObject: the render drops null values, and a null is how these
          // values remove the chart's default Jaeger, Zipkin and Prometheus receivers and pipelines.
          values: stringify(traceCollectorValues(env)),
        },
      },
      destination: { server: IN_CLUSTER, namespace: TRACE_COLLECTOR.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // No CreateNamespace: the monitoring Application creates the namespace with its Pod Security
        // labels (managedNamespaceMetadata); until it exists, this sync fails and is retried.
        syncOptions: ['PruneLast=true'],
        retry: structuredClone(GITOPS.retry),
      },
      revisionHistoryLimit: 10,
    },
  });
}

/**
 * The Argo Rollouts controller from its pinned chart, with its CRDs, in its own namespace. It needs no
 * AWS access: it reads Prometheus in the cluster and writes the ALB's weights into the Ingress, which
 * the AWS Load Balancer Controller turns into target-group weights. Same wave as monitoring: its CRDs
 * must exist before the workloads' Rollout and AnalysisTemplate sync.
 */
export function rolloutsApplication(): Application {
  return new Application({
    metadata: {
      name: ARGO_ROLLOUTS.releaseName,
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'argocd.argoproj.io/sync-wave': BOOTSTRAP_SYNC_WAVE.monitoring },
      // No cascade-delete finalizer: deleting the Application must not delete the CRDs, and with them
      // every Rollout (and its pods) of the workloads.
    },
    spec: {
      project: GITOPS.projects.platform,
      source: {
        repoURL: ARGO_ROLLOUTS.repoURL,
        chart: ARGO_ROLLOUTS.chart,
        targetRevision: ARGO_ROLLOUTS.version,
        helm: { releaseName: ARGO_ROLLOUTS.releaseName, valuesObject: rolloutsValues() },
      },
      destination: { server: IN_CLUSTER, namespace: ARGO_ROLLOUTS_WORKLOAD.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [
          'CreateNamespace=true',
          // The Rollout and analysis CRDs exceed the 256 KiB last-applied annotation of client-side apply.
          'ServerSideApply=true',
          'PruneLast=true',
        ],
        managedNamespaceMetadata: {
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
        retry: structuredClone(GITOPS.retry),
      },
      revisionHistoryLimit: 10,
    },
  });
}
