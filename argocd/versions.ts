// Versions of what the Argo CD bootstrap installs from outside this repository. Pinned so a render is
// repeatable and an upgrade is a reviewed one-line change.

/**
 * kube-prometheus-stack 77.0.0 ships prometheus-operator v0.85.0, the CRD version the manifests are
 * validated against (@kubernetes-models/prometheus-operator, test/cluster/crds).
 */
import { MONITORING_RELEASE, TRACE_COLLECTOR } from '../platform/config/workloads.js';

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
