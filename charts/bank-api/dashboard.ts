import { EXCLUDE_PROBES, SLO, serviceSelector } from './observability.js';

// The Grafana dashboard for bank-api, as the JSON the kube-prometheus-stack sidecar loads.
// Queries use Grafana's $__rate_interval so they follow the scrape interval and zoom level.

export interface DashboardOptions {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly environment: string;
}

interface Target {
  readonly expr: string;
  readonly legend: string;
}

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  readonly description: string;
}

/** Grafana's reference to the dashboard's data source variable (literal text, not a JS template). */
const DATASOURCE = { type: 'prometheus', uid: '$' + '{datasource}' } as const;

export function bankApiDashboard(o: DashboardOptions): Record<string, unknown> {
  const s = (extra = '') => serviceSelector(o.namespace, extra);
  const api = (extra = '') => s([EXCLUDE_PROBES, extra].filter(Boolean).join(','));
  const ri = '$__rate_interval';
  const ksmPod = `{namespace="${o.namespace}",container="${o.deploymentName}"}`;
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket${api()}[${ri}])))`,
    legend: `p${Math.round(q * 100)}`,
  });

  const panels: PanelSpec[] = [
    {
      title: 'Request rate by route',
      unit: 'reqps',
      description: 'API requests per second, health probes excluded.',
      targets: [
        {
          expr: `sum by (route) (rate(http_request_duration_seconds_count${api()}[${ri}]))`,
          legend: '{{route}}',
        },
      ],
    },
    {
      title: 'Errors (5xx ratio) and 4xx rate',
      unit: 'percentunit',
      description: `Share of requests answered 5xx; the availability SLO allows ${((1 - SLO.availability) * 100).toFixed(1)}%.`,
      targets: [
        {
          expr:
            `sum(rate(http_request_duration_seconds_count${api('status_code=~"5.."')}[${ri}]))` +
            ` / sum(rate(http_request_duration_seconds_count${api()}[${ri}]))`,
          legend: '5xx ratio',
        },
        {
          expr:
            `sum(rate(http_request_duration_seconds_count${api('status_code=~"4.."')}[${ri}]))` +
            ` / sum(rate(http_request_duration_seconds_count${api()}[${ri}]))`,
          legend: '4xx ratio',
        },
      ],
    },
    {
      title: 'Latency percentiles',
      unit: 's',
      description: `p50/p95/p99 of API requests; the latency SLO is ${SLO.latency * 100}% under ${SLO.latencyThresholdSeconds}s.`,
      targets: [quantile(0.5), quantile(0.95), quantile(0.99)],
    },
    {
      title: 'Requests in flight',
      unit: 'short',
      description: 'Concurrent requests being served, per pod.',
      targets: [{ expr: `sum by (pod) (http_requests_in_flight${s()})`, legend: '{{pod}}' }],
    },
    {
      title: 'Transfers and deposits by outcome',
      unit: 'ops',
      description: 'Money movements per second by kind and outcome (completed, replayed, rejections).',
      targets: [
        {
          expr: `sum by (kind, outcome) (rate(bank_transfers_total${s()}[${ri}]))`,
          legend: '{{kind}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Database pool',
      unit: 'short',
      description: 'PostgreSQL connections in use, idle, waiting and the pool maximum, summed over pods.',
      targets: [
        { expr: `sum(bank_db_pool_in_use${s()})`, legend: 'in use' },
        { expr: `sum(bank_db_pool_idle${s()})`, legend: 'idle' },
        { expr: `sum(bank_db_pool_waiting${s()})`, legend: 'waiting' },
        { expr: `sum(bank_db_pool_max${s()})`, legend: 'max' },
      ],
    },
    {
      title: 'Pods: scraped up, available, desired',
      unit: 'short',
      description: 'Targets Prometheus scrapes successfully against the Deployment and the HPA.',
      targets: [
        { expr: `sum(up${s()})`, legend: 'up' },
        {
          expr: `sum(kube_deployment_status_replicas_available{namespace="${o.namespace}",deployment="${o.deploymentName}"})`,
          legend: 'available',
        },
        {
          expr: `sum(kube_horizontalpodautoscaler_status_desired_replicas{namespace="${o.namespace}",horizontalpodautoscaler="${o.deploymentName}"})`,
          legend: 'desired (HPA)',
        },
        { expr: `min(bank_db_up${s()})`, legend: 'database up (min over pods)' },
      ],
    },
    {
      title: 'Container restarts (1h)',
      unit: 'short',
      description: 'Restarts per pod over the last hour (kube-state-metrics).',
      targets: [
        {
          expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total${ksmPod}[1h]))`,
          legend: '{{pod}}',
        },
      ],
    },
    {
      title: 'CPU, memory and event loop',
      unit: 'short',
      description: 'Process CPU seconds per second, resident memory (GiB) and event loop lag (s), per pod.',
      targets: [
        { expr: `sum by (pod) (rate(process_cpu_seconds_total${s()}[${ri}]))`, legend: 'cpu {{pod}}' },
        {
          expr: `max by (pod) (process_resident_memory_bytes${s()}) / 1073741824`,
          legend: 'rss GiB {{pod}}',
        },
        { expr: `max by (pod) (nodejs_eventloop_lag_seconds${s()})`, legend: 'loop lag {{pod}}' },
      ],
    },
  ];

  return {
    uid: `bank-api-${o.environment}`,
    title: `bank-api (${o.environment})`,
    tags: ['bank', 'bank-api', o.environment],
    timezone: 'utc',
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
      ],
    },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      description: panel.description,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: panel.targets.map((t, i) => ({
        refId: String.fromCharCode(65 + i),
        expr: t.expr,
        legendFormat: t.legend,
        datasource: DATASOURCE,
      })),
    })),
  };
}

/** Every PromQL expression in a dashboard (for checks). */
export function dashboardExpressions(dashboard: Record<string, unknown>): string[] {
  const panels = (dashboard.panels ?? []) as { targets?: { expr?: string }[] }[];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).filter((e) => e.length > 0);
}
