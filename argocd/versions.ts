// Versions of what the Argo CD bootstrap installs from outside this repository. Pinned so a render is
// repeatable and an upgrade is a reviewed one-line change.

/**
 * kube-prometheus-stack 77.0.0 ships prometheus-operator v0.85.0, the CRD version the manifests are
 * validated against (@kubernetes-models/prometheus-operator, test/cluster/crds).
 */
import {
  ARGO_ROLLOUTS as ARGO_ROLLOUTS_WORKLOAD,
  MONITORING_RELEASE,
  TRACE_COLLECTOR,
} from '../platform/config/workloads.js';

export const KUBE_PROMETHEUS_STACK = {
  repoURL: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '77.0.0',
  /** The release name is part of the workload contract: ServiceMonitors select on it, Pod Identity names its accounts. */
  releaseName: MONITORING_RELEASE,
} as const;

/**
 * The OpenTelemetry collector chart; its appVersion (the otel/opentelemetry-collector-contrib image
 * tag) moves with it.
 */
export const OPENTELEMETRY_COLLECTOR = {
  repoURL: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
  chart: 'opentelemetry-collector',
  version: '0.158.3',
  /** The workload contract's name: Service, ServiceAccount and Application. */
  releaseName: TRACE_COLLECTOR.releaseName,
} as const;

/**
 * The Argo Rollouts chart. `appVersion` is the controller release it runs (the chart's image tag is
 * set to it): the same release test/cluster/rollouts builds for the local platform and whose CRDs
 * test/cluster/crds installs (test/gitops checks the three agree). Chart 2.41.1 ships v1.9.1; the
 * tag is raised to v1.10.1, the newest release the machines' Go (1.26.8) builds (v1.10.2 needs 1.26.10).
 */
export const ARGO_ROLLOUTS = {
  repoURL: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-rollouts',
  version: '2.41.1',
  appVersion: 'v1.10.1',
  releaseName: ARGO_ROLLOUTS_WORKLOAD.releaseName,
} as const;
