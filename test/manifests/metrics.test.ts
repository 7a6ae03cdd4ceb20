import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardExpressions } from '../../charts/bank-api/dashboard.js';
import { EXTERNAL_METRICS, SLO } from '../../charts/bank-api/observability.js';
import { startServer } from '../../services/bank-api/src/server.js';
import { CONTROLLER_METRICS } from './controller-metrics.js';
import { metricNames } from './promql.js';
import { ofKind, renderAll } from './rendered.js';

// Every metric the alerts and the dashboard read must exist: either the service exports it (read
// from a running bank-api's /metrics, no copied list), a recording rule of ours defines it, or it is
// one of the few series named in EXTERNAL_METRICS (kube-state-metrics, Prometheus's `up`) or in
// CONTROLLER_METRICS (Argo Rollouts and Argo CD, with the sources of their names).

const { objects } = renderAll();
interface RuleYaml {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
}
const rules: RuleYaml[] = ofKind(objects, 'PrometheusRule').flatMap((r) =>
  (r.object.spec.groups as { rules: RuleYaml[] }[]).flatMap((g) => g.rules),
);
const dashboards = ofKind(objects, 'ConfigMap')
  .filter((c) => c.object.metadata.labels?.grafana_dashboard === '1')
  .flatMap((c) => Object.values(c.object.data as Record<string, string>).map((json) => JSON.parse(json)));
const known = (name: string) => name in EXTERNAL_METRICS || name in CONTROLLER_METRICS;
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
const expressions = [...rules.map((r) => r.expr), ...dashboards.flatMap((d) => dashboardExpressions(d))];

let server: Awaited<ReturnType<typeof startServer>>;
let exposition = '';

/** Sample names a text exposition offers, with histogram/summary series expanded. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = line.match(/^# TYPE (\S+) (\S+)/);
    if (!type) continue;
    const [, name = '', kind] = type;
    names.add(name);
    if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

beforeAll(async () => {
  server = await startServer({ env: { PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' } });
  // A few requests so the labelled histogram has series to show.
  for (const path of ['/livez', '/readyz', '/v1/accounts']) await fetch(`${server.url}${path}`);
  exposition = await (await fetch(`${server.metricsUrl}/metrics`)).text();
});

afterAll(async () => {
  await server?.close();
});

describe('metric names used by alerts and dashboards', () => {
  it('parses every expression and finds metric names in it', () => {
    expect(expressions.length).toBeGreaterThan(20);
    for (const expr of expressions) expect(metricNames(expr).length, expr).toBeGreaterThan(0);
  });

  it('are all exported by bank-api, recorded by our rules, or declared external', () => {
    const exported = exportedNames(exposition);
    expect(exported.size, 'the service exposes metrics').toBeGreaterThan(10);
    const unknown = new Set<string>();
    for (const expr of expressions) {
      for (const name of metricNames(expr)) {
        if (!exported.has(name) && !recorded.has(name) && !known(name)) unknown.add(name);
      }
    }
    expect([...unknown]).toEqual([]);
  });

  it('declares as external only names the service does not export itself', () => {
    const exported = exportedNames(exposition);
    for (const name of [...Object.keys(EXTERNAL_METRICS), ...Object.keys(CONTROLLER_METRICS)])
      expect(exported.has(name), name).toBe(false);
  });

  it('declares no controller series the dashboards do not read', () => {
    const used = new Set(expressions.flatMap((expr) => metricNames(expr)));
    for (const name of Object.keys(CONTROLLER_METRICS)) expect(used.has(name), name).toBe(true);
  });

  it('uses a latency threshold that is one of the histogram bucket bounds', () => {
    expect(exposition).toMatch(
      new RegExp(`^http_request_duration_seconds_bucket\\{[^}]*le="${SLO.latencyThresholdSeconds}"`, 'm'),
    );
  });

  it('the checker itself catches a name the service does not export', () => {
    const exported = exportedNames(exposition);
    expect(metricNames('rate(bank_transfer_total[5m])').filter((n) => !exported.has(n))).toEqual([
      'bank_transfer_total',
    ]);
  });
});
