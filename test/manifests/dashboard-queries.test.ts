import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BANK_API } from '../../platform/config/workloads.js';
import { withoutGrafanaVariables } from './promql.js';
import { ofKind, renderAll } from './rendered.js';

// Every panel query of the rendered dashboards evaluated by Prometheus's own engine (promtool's
// PromQL unit tests) on synthetic series of two moments:
// - a healthy service under load: no 5xx yet, no rollout event, no analysis run, every Argo CD
//   Application synced. Every query must return a number (not nothing, not NaN): a panel showing
//   "no data" on a healthy service is a defect. Every stat with a red threshold stays below it.
// - an incident: 5xx, slow requests, an aborted canary, an out-of-sync and a degraded Application,
//   failed syncs. Every stat with a red threshold turns red, so the zero guards hide nothing.
// The series carry the labels the ServiceMonitor and the controllers give them; the live test of
// the local platform runs the same queries against real scrapes.

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const available = promtool.status === 0;
if (!available && (process.env.REQUIRE_TOOLS === '1' || process.env.CI))
  throw new Error('promtool is required here (apt-get install prometheus)');

interface PanelJson {
  readonly type: string;
  readonly title: string;
  readonly targets: { expr: string }[];
  readonly fieldConfig: { defaults: { thresholds?: { steps: { value: number | null; color: string }[] } } };
}

interface PanelQuery {
  readonly where: string;
  readonly expr: string;
  /** The value from which a stat turns red, if it has one. */
  readonly redFrom?: number;
}

const { objects } = renderAll();
const queries: PanelQuery[] = ofKind(objects, 'ConfigMap')
  .filter((c) => c.object.metadata.labels?.grafana_dashboard === '1')
  .flatMap((c) =>
    Object.entries(c.object.data as Record<string, string>).flatMap(([file, json]) =>
      (JSON.parse(json).panels as PanelJson[]).flatMap((panel) => {
        const red = panel.fieldConfig.defaults.thresholds?.steps.find((s) => s.color === 'red')?.value;
        return panel.targets.map((t) => ({
          where: `${c.env.name}/${file} "${panel.title}"`,
          expr: withoutGrafanaVariables(t.expr),
          ...(panel.type === 'stat' && typeof red === 'number' ? { redFrom: red } : {}),
        }));
      }),
    ),
  );

const { name: workload, namespace } = BANK_API;
const series = (metric: string, labels: Record<string, string>, values: string) => ({
  series: `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  values,
});
const pod = { job: workload, namespace, pod: `${workload}-7c9d-x1` };
const rollout = { namespace, name: workload };
const app = (name: string, sync: string, health: string) =>
  series(
    'argocd_app_info',
    { namespace: 'argocd', name, project: 'bank', sync_status: sync, health_status: health },
    '1x160',
  );

interface Requests {
  readonly route: string;
  readonly status: string;
  /** Requests per 30 s scrape interval. */
  readonly perStep: number;
  /** Share of them finished within 0.05 s, 0.1 s, 0.25 s, 1 s. */
  readonly within: readonly [number, number, number, number];
}

function http(r: Requests) {
  const labels = { ...pod, method: 'GET', route: r.route, status_code: r.status };
  const bounds = ['0.05', '0.1', '0.25', '1'] as const;
  return [
    series('http_request_duration_seconds_count', labels, `0+${r.perStep}x160`),
    ...bounds.map((le, i) =>
      series(
        'http_request_duration_seconds_bucket',
        { ...labels, le },
        `0+${r.perStep * (r.within[i] ?? 1)}x160`,
      ),
    ),
    series('http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }, `0+${r.perStep}x160`),
  ];
}

/** What a running service, its Rollout, kube-state-metrics and Argo CD always export. */
function baseline(fast: boolean) {
  const within = fast ? ([0.8, 1, 1, 1] as const) : ([0, 0, 0.1, 1] as const);
  return [
    ...http({ route: '/v1/transfers', status: '201', perStep: 60, within }),
    ...http({ route: '/v1/accounts/:id', status: '200', perStep: 30, within }),
    ...http({ route: '/v1/transfers', status: '422', perStep: 3, within }),
    ...http({ route: '/readyz', status: '200', perStep: 10, within }),
    // Called once at start-up, idle since: no 0/0 or NaN quantile may show up for it.
    ...http({ route: '/v1/dev/token', status: '201', perStep: 0, within }),
    series('up', pod, '1x160'),
    series('http_requests_in_flight', pod, '2x160'),
    series('process_cpu_seconds_total', pod, '0+6x160'),
    series('process_resident_memory_bytes', pod, '120000000x160'),
    series('nodejs_heap_size_used_bytes', pod, '60000000x160'),
    series('nodejs_eventloop_lag_p99_seconds', pod, '0.012x160'),
    series('bank_db_pool_in_use', pod, '2x160'),
    series('bank_db_pool_idle', pod, '3x160'),
    series('bank_db_pool_waiting', pod, '0x160'),
    series('bank_db_pool_max', pod, '10x160'),
    series('bank_db_up', pod, '1x160'),
    series('bank_transfers_total', { ...pod, kind: 'transfer', outcome: 'completed' }, '0+40x160'),
    series('bank_transfers_total', { ...pod, kind: 'deposit', outcome: 'completed' }, '0+10x160'),
    series(
      'kube_pod_container_status_restarts_total',
      { namespace, container: workload, pod: pod.pod },
      '0x160',
    ),
    series(
      'kube_horizontalpodautoscaler_status_desired_replicas',
      { namespace, horizontalpodautoscaler: workload },
      '3x160',
    ),
    series(
      'rollout_info',
      { ...rollout, strategy: 'Canary', traffic_router: 'ALB', phase: 'Completed' },
      '1x160',
    ),
    series('rollout_info_replicas_desired', rollout, '3x160'),
    series('rollout_info_replicas_updated', rollout, '3x160'),
    series('rollout_info_replicas_available', rollout, '3x160'),
    series('rollout_info_replicas_unavailable', rollout, '0x160'),
    app('bank-workloads', 'Synced', 'Healthy'),
    series(
      'argocd_app_reconcile_bucket',
      { namespace: 'argocd', dest_server: 'in-cluster', le: '1' },
      '0+1x160',
    ),
    series(
      'argocd_app_reconcile_bucket',
      { namespace: 'argocd', dest_server: 'in-cluster', le: '+Inf' },
      '0+1x160',
    ),
  ];
}

const healthy = [...baseline(true), app('kube-prometheus-stack', 'Synced', 'Healthy')];

const incident = [
  ...baseline(false),
  ...http({ route: '/v1/transfers', status: '500', perStep: 12, within: [0, 0, 0.1, 1] }),
  series('bank_transfers_total', { ...pod, kind: 'transfer', outcome: 'replayed' }, '0+4x160'),
  // Counters born with their first event: no earlier sample for increase() to start from.
  series('rollout_events_total', { ...rollout, type: 'Warning', reason: 'RolloutAborted' }, '_x100 1x60'),
  series('analysis_run_info', { namespace, name: `${workload}-5f7b9c-4-1`, phase: 'Failed' }, '1x160'),
  series(
    'analysis_run_metric_phase',
    {
      namespace,
      name: `${workload}-5f7b9c-4-1`,
      metric: 'error-ratio',
      type: 'Prometheus',
      dry_run: 'false',
      phase: 'Failed',
    },
    '1x160',
  ),
  app('kube-prometheus-stack', 'OutOfSync', 'Degraded'),
  series(
    'argocd_app_sync_total',
    {
      namespace: 'argocd',
      name: 'kube-prometheus-stack',
      project: 'platform',
      dest_server: 'in-cluster',
      phase: 'Failed',
    },
    '_x100 1x60',
  ),
];

const EVAL = '70m';
const dir = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));
writeFileSync(join(dir, 'no-rules.yaml'), stringify({ groups: [] }));

/** Runs PromQL expectations (each: `expr` must return no sample) on `input`; returns promtool's verdict. */
function expectEmpty(name: string, input: ReturnType<typeof series>[], exprs: string[]) {
  const file = `${name}.yaml`;
  writeFileSync(
    join(dir, file),
    stringify({
      rule_files: ['no-rules.yaml'],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: input,
          promql_expr_test: exprs.map((expr) => ({ expr, eval_time: EVAL, exp_samples: [] })),
        },
      ],
    }),
  );
  const result = spawnSync('promtool', ['test', 'rules', file], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe.skipIf(!available)('dashboard queries in Prometheus', () => {
  it('finds the panel queries and the red thresholds of the rendered dashboards', () => {
    expect(queries.length).toBeGreaterThan(50);
    expect(queries.filter((q) => q.redFrom !== undefined).length).toBeGreaterThanOrEqual(8);
  });

  it('on a healthy service every query returns a number and no stat is red', () => {
    const exprs = queries.flatMap((q) => [
      `absent(${q.expr})`,
      `(${q.expr}) != (${q.expr})`,
      ...(q.redFrom === undefined ? [] : [`(${q.expr}) >= ${q.redFrom}`]),
    ]);
    const result = expectEmpty('healthy', healthy, exprs);
    expect(result.status, result.output).toBe(0);
  });

  it('in an incident every stat with a red threshold turns red', () => {
    const exprs = queries
      .filter((q) => q.redFrom !== undefined)
      .flatMap((q) => [`absent(${q.expr})`, `(${q.expr}) < ${q.redFrom}`]);
    const result = expectEmpty('incident', incident, exprs);
    expect(result.status, result.output).toBe(0);
  });

  it('the check fails for a query that selects nothing on a healthy service', () => {
    const result = expectEmpty('negative', healthy, [
      `absent(sum by (route) (rate(http_request_duration_seconds_count{job="${workload}",status_code=~"5.."}[5m])))`,
    ]);
    expect(result.status).not.toBe(0);
  });
});
