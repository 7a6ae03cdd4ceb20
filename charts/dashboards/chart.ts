import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { argoCdDashboard } from './argocd.js';
import { dashboardConfigMap } from './config-map.js';
import { ledgerDashboard } from './ledger.js';
import { rolloutsDashboard } from './rollouts.js';

// The dashboards beyond bank-api's own service dashboard (which ships with its chart): the ledger,
// the bank-api rollouts and Argo CD.

export interface DashboardsChartProps {
  readonly env: EnvironmentConfig;
  /** bank-api's namespace and workload (Rollout) name. */
  readonly namespace: string;
  readonly workloadName: string;
  readonly partOf: string;
}

export class DashboardsChart extends Chart {
  constructor(scope: Construct, id: string, props: DashboardsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const environment = props.env.name;
    const dashboards = [
      {
        name: `${props.workloadName}-ledger`,
        dashboard: ledgerDashboard({ namespace: props.namespace, environment }),
      },
      {
        name: `${props.workloadName}-rollouts`,
        dashboard: rolloutsDashboard({
          namespace: props.namespace,
          rolloutName: props.workloadName,
          environment,
        }),
      },
      { name: 'argocd', dashboard: argoCdDashboard({ environment }) },
    ];
    for (const { name, dashboard } of dashboards) {
      dashboardConfigMap(this, {
        name,
        dashboard,
        labels: {
          'app.kubernetes.io/name': name,
          'app.kubernetes.io/component': 'dashboard',
          'app.kubernetes.io/part-of': props.partOf,
          'app.kubernetes.io/managed-by': 'cdk8s',
        },
      });
    }
  }
}
