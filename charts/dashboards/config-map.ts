import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { MONITORING, SYNC_WAVE } from '../lib/platform-contract.js';

// A dashboard as the kube-prometheus-stack Grafana sidecar loads it: a labelled ConfigMap in
// Grafana's own namespace (the sidecar's searchNamespace), one JSON file per dashboard.

export interface DashboardConfigMapProps {
  /** ConfigMap name is `<name>-dashboard`, its file `<name>.json`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly dashboard: Dashboard;
}

/** The JSON text of a dashboard: stable key order from the builder, two-space indent, final newline. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

export function dashboardConfigMap(scope: Construct, props: DashboardConfigMapProps): kplus.ConfigMap {
  return new kplus.ConfigMap(scope, props.name, {
    metadata: {
      name: `${props.name}-dashboard`,
      namespace: MONITORING.namespace,
      labels: { ...props.labels, ...MONITORING.grafanaDashboardLabels },
      annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.monitoring },
    },
    data: { [`${props.name}.json`]: dashboardJson(props.dashboard) },
  });
}
