import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { EXCLUDE_PROBES, SLO, serviceSelector } from '../bank-api/observability.js';
import { buildDashboard, type PanelSpec } from './panels.js';
import { orZero, ratioByOrZero, RATE_INTERVAL as ri, withoutNaN } from './promql.js';

// bank-api as a service, for the on-call engineer and the team that owns it: RED per route (rate,
// errors, duration), then saturation (CPU, memory, event loop, database pool), then the pods.

export interface ServiceDashboardOptions {
  readonly namespace: string;
  /** The workload's name: the Rollout, its HPA and its container are all called this. */
  readonly workloadName: string;
  readonly environment: string;
}

const HTTP_COUNT = 'http_request_duration_seconds_count';

export function serviceDashboard(o: ServiceDashboardOptions): Dashboard {
  const s = (extra = '') => serviceSelector(o.namespace, extra);
  const api = (extra = '') => s([EXCLUDE_PROBES, extra].filter(Boolean).join(','));
  const ksm = `{namespace="${o.namespace}",container="${o.workloadName}"}`;
  const quantile = (q: number, by: string, window: string) =>
    `histogram_quantile(${q}, sum by (${by}) (rate(http_request_duration_seconds_bucket${api()}[${window}])))`;
  const budget = `${((1 - SLO.availability) * 100).toFixed(1)}%`;

  const panels: PanelSpec[] = [
    {
      kind: 'stat',
      title: 'Requests per second',
      description: 'API requests per second over the last 5 minutes, health probes excluded.',
      unit: 'reqps',
      width: 6,
      height: 4,
      queries: [{ expr: orZero(`sum(rate(${HTTP_COUNT}${api()}[5m]))`), legend: 'requests/s' }],
    },
    {
      kind: 'stat',
      title: '5xx ratio (5m)',
      description: `Share of API requests answered 5xx over the last 5 minutes; the availability SLO allows ${budget}. Red from 5%, where BankApiHighErrorRate fires.`,
      unit: 'percentunit',
      width: 6,
      height: 4,
      redFrom: 0.05,
      queries: [
        { expr: ratioByOrZero(HTTP_COUNT, api, 'status_code=~"5.."', '', '5m'), legend: '5xx ratio' },
      ],
    },
    {
      kind: 'stat',
      title: 'p99 latency (5m)',
      description: `99th percentile of API request duration over the last 5 minutes; the latency SLO is ${SLO.latency * 100}% under ${SLO.latencyThresholdSeconds}s.`,
      unit: 's',
      width: 6,
      height: 4,
      redFrom: Number(SLO.latencyThresholdSeconds),
      queries: [{ expr: quantile(0.99, 'le', '5m'), legend: 'p99' }],
    },
    {
      kind: 'stat',
      title: 'Pods scraped',
      description: 'bank-api pods whose metrics endpoint Prometheus scrapes successfully right now.',
      unit: 'short',
      width: 6,
      height: 4,
      queries: [{ expr: orZero(`sum(up${s()})`), legend: 'up' }],
    },
    {
      kind: 'timeseries',
      title: 'Request rate by route',
      description: 'API requests per second per route template, health probes excluded.',
      unit: 'reqps',
      queries: [{ expr: `sum by (route) (rate(${HTTP_COUNT}${api()}[${ri}]))`, legend: '{{route}}' }],
    },
    {
      kind: 'timeseries',
      title: '5xx ratio by route',
      description: `Share of each route's requests answered 5xx (0 when a route has none); the availability SLO allows ${budget} overall.`,
      unit: 'percentunit',
      queries: [
        { expr: ratioByOrZero(HTTP_COUNT, api, 'status_code=~"5.."', 'route', ri), legend: '{{route}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Latency percentiles',
      description: `p50, p95 and p99 of API request duration; the latency SLO is ${SLO.latency * 100}% under ${SLO.latencyThresholdSeconds}s.`,
      unit: 's',
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: quantile(q, 'le', ri),
        legend: `p${Math.round(q * 100)}`,
      })),
    },
    {
      kind: 'timeseries',
      title: 'p95 latency by route',
      description:
        'The 95th percentile of request duration per route template: which route is slow (routes without requests in the window are left out).',
      unit: 's',
      queries: [{ expr: withoutNaN(quantile(0.95, 'le, route', ri)), legend: '{{route}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Responses by status code',
      description:
        'API responses per second by HTTP status code (4xx are client errors and spend no error budget).',
      unit: 'reqps',
      stacked: true,
      queries: [
        { expr: `sum by (status_code) (rate(${HTTP_COUNT}${api()}[${ri}]))`, legend: '{{status_code}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Requests in flight',
      description:
        'Requests being served at once, per pod (health probes included): queueing shows here first.',
      unit: 'short',
      queries: [{ expr: `sum by (pod) (http_requests_in_flight${s()})`, legend: '{{pod}}' }],
    },
    {
      kind: 'timeseries',
      title: 'CPU per pod',
      description: 'CPU time the Node.js process uses per second of wall time, in cores, per pod.',
      unit: 'short',
      queries: [{ expr: `sum by (pod) (rate(process_cpu_seconds_total${s()}[${ri}]))`, legend: '{{pod}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Memory per pod',
      description: 'Resident memory of the Node.js process and the V8 heap in use, per pod.',
      unit: 'bytes',
      queries: [
        { expr: `max by (pod) (process_resident_memory_bytes${s()})`, legend: 'resident {{pod}}' },
        { expr: `max by (pod) (nodejs_heap_size_used_bytes${s()})`, legend: 'heap used {{pod}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Event loop lag (p99)',
      description:
        'The 99th percentile of Node.js event loop delay per pod: CPU-bound work or blocking calls stall every request.',
      unit: 's',
      queries: [{ expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds${s()})`, legend: '{{pod}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Database pool',
      description:
        'PostgreSQL connections in use, idle, requests waiting for one, and the pool maximum, summed over pods.',
      unit: 'short',
      queries: [
        { expr: `sum(bank_db_pool_in_use${s()})`, legend: 'in use' },
        { expr: `sum(bank_db_pool_idle${s()})`, legend: 'idle' },
        { expr: `sum(bank_db_pool_waiting${s()})`, legend: 'waiting' },
        { expr: `sum(bank_db_pool_max${s()})`, legend: 'max' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Database pool utilisation',
      description:
        'Connections in use over the pool maximum, per pod; BankApiDatabasePoolSaturated fires above 90% for 10 minutes.',
      unit: 'percentunit',
      queries: [
        { expr: `max by (pod) (bank_db_pool_in_use${s()} / bank_db_pool_max${s()})`, legend: '{{pod}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Pods and database reachability',
      description:
        'Pods scraped, replicas the Rollout reports available, replicas the HPA wants, and whether every pod reaches the database (1) or one does not (0).',
      unit: 'short',
      queries: [
        { expr: `sum(up${s()})`, legend: 'scraped' },
        {
          expr: `sum(rollout_info_replicas_available{namespace="${o.namespace}",name="${o.workloadName}"})`,
          legend: 'available (Rollout)',
        },
        {
          expr: `sum(kube_horizontalpodautoscaler_status_desired_replicas{namespace="${o.namespace}",horizontalpodautoscaler="${o.workloadName}"})`,
          legend: 'desired (HPA)',
        },
        { expr: `min(bank_db_up${s()})`, legend: 'database up (min over pods)' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Container restarts (1h)',
      description:
        'Restarts per pod over the last hour (kube-state-metrics); BankApiPodRestarting fires above 2 in 30 minutes.',
      unit: 'short',
      width: 24,
      queries: [
        {
          expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total${ksm}[1h]))`,
          legend: '{{pod}}',
        },
      ],
    },
  ];

  return buildDashboard({
    uid: `bank-api-${o.environment}`,
    title: `bank-api (${o.environment})`,
    description: `bank-api in ${o.environment} for on-call and its owners: request rate, errors and latency per route, CPU, memory, event loop and database pool saturation, and the pods behind it.`,
    tags: ['bank', 'bank-api', o.environment],
    panels,
  });
}
