// Versions of what the Argo CD bootstrap installs from outside this repository. Pinned so a render is
// repeatable and an upgrade is a reviewed one-line change.

/**
 * kube-prometheus-stack 77.0.0 ships prometheus-operator v0.85.0, the CRD version the manifests are
 * validated against (@kubernetes-models/prometheus-operator, test/cluster/crds).
 */
import { MONITORING_RELEASE } from '../platform/config/workloads.js';

export const KUBE_PROMETHEUS_STACK = {
  repoURL: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '77.0.0',
  /** The release name is part of the workload contract: ServiceMonitors select on it, Pod Identity names its accounts. */
  releaseName: MONITORING_RELEASE,
} as const;
