import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { serviceDashboard } from '../dashboards/service.js';

// bank-api's service dashboard, shipped in its chart next to its alerts. Built with Grafana's typed
// builder in charts/dashboards/ like the platform's other dashboards.

export { dashboardExpressions } from '../dashboards/expressions.js';

export interface DashboardOptions {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly environment: string;
}

export function bankApiDashboard(o: DashboardOptions): Dashboard {
  return serviceDashboard({
    namespace: o.namespace,
    workloadName: o.deploymentName,
    environment: o.environment,
  });
}
