import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type PanelSpec } from './panels.js';
import { growthOver, orZero } from './promql.js';

// GitOps state of the cluster, for platform engineers and whoever merges to the manifests branch:
// is every Argo CD Application synced and healthy, which are not, and do syncs succeed. Series come
// from the Argo CD application controller's metrics endpoint (argocd_app_info carries the sync and
// health status as labels, one series per Application).

export interface ArgoCdDashboardOptions {
  readonly environment: string;
}

const APPS = 'argocd_app_info';

export function argoCdDashboard(o: ArgoCdDashboardOptions): Dashboard {
  const panels: PanelSpec[] = [
    {
      kind: 'stat',
      title: 'Applications',
      description: 'Argo CD Applications the controller manages in this cluster.',
      unit: 'short',
      width: 6,
      height: 4,
      queries: [{ expr: orZero(`count(${APPS})`), legend: 'applications' }],
    },
    {
      kind: 'stat',
      title: 'Out of sync',
      description: 'Applications whose live state differs from the manifests branch (OutOfSync or Unknown).',
      unit: 'short',
      width: 6,
      height: 4,
      redFrom: 1,
      queries: [{ expr: orZero(`count(${APPS}{sync_status!="Synced"})`), legend: 'out of sync' }],
    },
    {
      kind: 'stat',
      title: 'Not healthy',
      description:
        'Applications whose health is not Healthy: Progressing during a sync or a canary, Suspended at a paused rollout step, Degraded, Missing or Unknown.',
      unit: 'short',
      width: 6,
      height: 4,
      redFrom: 1,
      queries: [{ expr: orZero(`count(${APPS}{health_status!="Healthy"})`), legend: 'not healthy' }],
    },
    {
      kind: 'stat',
      title: 'Failed syncs (24h)',
      description: 'Sync operations that ended Failed or Error in the last 24 hours.',
      unit: 'short',
      width: 6,
      height: 4,
      redFrom: 1,
      queries: [
        {
          expr: growthOver('argocd_app_sync_total', 'phase=~"Failed|Error"', '24h'),
          legend: 'failed',
        },
      ],
    },
    {
      kind: 'table',
      title: 'Applications and their status',
      description:
        'Every Application with its project, sync status, health status and running operation, as the controller reports them now.',
      unit: 'none',
      width: 24,
      queries: [
        {
          expr: `max by (name, project, sync_status, health_status, operation) (${APPS})`,
          legend: '{{name}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Applications by sync status',
      description: 'Applications per sync status over time (Synced, OutOfSync, Unknown).',
      unit: 'short',
      stacked: true,
      queries: [{ expr: `count by (sync_status) (${APPS})`, legend: '{{sync_status}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Applications by health status',
      description:
        'Applications per health status over time (Healthy, Progressing, Suspended, Degraded, Missing, Unknown).',
      unit: 'short',
      stacked: true,
      queries: [{ expr: `count by (health_status) (${APPS})`, legend: '{{health_status}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Syncs by phase (1h)',
      description: 'Completed sync operations in the last hour by phase (Succeeded, Failed, Error).',
      unit: 'short',
      queries: [
        { expr: orZero('sum by (phase) (increase(argocd_app_sync_total[1h]))'), legend: '{{phase}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Reconcile duration p95',
      description:
        "95th percentile of the time the controller takes to compare an Application with Git (over 10 minutes, longer than the controller's reconcile period).",
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket[10m])))',
          legend: 'p95',
        },
      ],
    },
  ];

  return buildDashboard({
    uid: `bank-argocd-${o.environment}`,
    title: `Argo CD (${o.environment})`,
    description: `GitOps state of the ${o.environment} cluster for platform engineers: Applications by sync and health status, which are out of sync or unhealthy, sync outcomes and reconcile time (Argo CD application controller metrics).`,
    tags: ['bank', 'argocd', o.environment],
    panels,
  });
}
