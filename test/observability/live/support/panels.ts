import { EXTERNAL_METRICS } from '../../../../charts/bank-api/observability.js';
import type { DashboardVariable } from '../../../../scripts/local/monitoring-sources.js';

// Grafana's variables in a panel query, replaced the way Grafana replaces them for a Prometheus data
// source, so the live test runs the query Grafana would send.

/**
 * $__rate_interval: max($__interval + scrape interval, 4 × scrape interval), where the scrape interval
 * is the data source's (kube-prometheus-stack sets it to Prometheus's, 30s). $__interval depends on
 * the zoom; for the dashboards' default 6 h over a full-width panel it is below the scrape interval,
 * so the four scrapes win.
 */
export function grafanaRateInterval(scrapeIntervalSeconds: number, intervalSeconds: number): string {
  return `${Math.max(intervalSeconds + scrapeIntervalSeconds, 4 * scrapeIntervalSeconds)}s`;
}

export function substituteGrafanaVariables(
  expr: string,
  variables: Readonly<Record<string, string>>,
): string {
  const out = expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_whole, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = variables[name];
    if (value === undefined)
      throw new Error(
        `panel query uses Grafana variable $${name}, which the live test cannot resolve: ${expr}`,
      );
    return value;
  });
  return out;
}

/** Metric names a query reads that only kube-state-metrics exports (not running locally). */
export function kubeStateMetricsSeries(expr: string): string[] {
  return Object.entries(EXTERNAL_METRICS)
    .filter(([name, source]) => source === 'kube-state-metrics' && new RegExp(`\\b${name}\\b`).test(expr))
    .map(([name]) => name);
}

/**
 * Series only the GitOps controllers export: the Argo Rollouts controller (rollout_*, analysis_run_*)
 * and Argo CD (argocd_*). The standalone live stack runs bank-api alone; `npm run local:up` runs both
 * controllers for real, so test/local-platform/monitoring.test.ts checks these panels there.
 */
const CONTROLLER_SERIES = /\b(?:rollout|analysis_run|argocd)_\w+/g;

export function controllerSeries(expr: string): string[] {
  return [...new Set(expr.match(CONTROLLER_SERIES) ?? [])];
}

/** Where a panel query's data comes from, so each query is checked where its source really runs. */
export type PanelSource = 'kube-state-metrics' | 'controllers' | 'bank-api';

export function panelSource(expr: string): PanelSource {
  if (kubeStateMetricsSeries(expr).length > 0) return 'kube-state-metrics';
  if (controllerSeries(expr).length > 0) return 'controllers';
  return 'bank-api';
}

const LABEL_VALUES = /^\s*label_values\(\s*(?:([^,]+?)\s*,\s*)?(\w+)\s*\)\s*$/;

/**
 * A dashboard variable's value as Grafana would first select it: the saved `current` value, else the
 * constant, custom or textbox value, else (label_values queries) the first value Prometheus has; a
 * multi-value or "All" variable with several values becomes a regex alternation, as Grafana sends it.
 */
export async function resolveDashboardVariable(
  variable: DashboardVariable,
  prometheusUrl: string,
): Promise<string> {
  const current = variable.current?.value;
  const many = (values: readonly string[]) =>
    values.length === 1 ? (values[0] as string) : `(${values.join('|')})`;
  if (typeof current === 'string' && current !== '' && current !== '$__all') return current;
  if (Array.isArray(current) && current.length > 0 && !current.includes('$__all')) return many(current);
  if (variable.type === 'datasource') return 'prometheus';
  const query =
    typeof variable.query === 'string'
      ? variable.query
      : String((variable.query as { query?: string })?.query ?? '');
  if (variable.type === 'constant' || variable.type === 'textbox') return query;
  if (variable.type === 'custom') return query.split(',')[0]?.trim() ?? '';
  const match = LABEL_VALUES.exec(query);
  if (variable.type !== 'query' || !match) {
    throw new Error(
      `dashboard variable $${variable.name} (${variable.type}: ${query}) cannot be resolved by the live test`,
    );
  }
  const url = new URL(`/api/v1/label/${match[2]}/values`, prometheusUrl);
  if (match[1]) url.searchParams.set('match[]', match[1]);
  const values = ((await (await fetch(url)).json()) as { data: string[] }).data;
  if (values.length === 0) throw new Error(`dashboard variable $${variable.name}: ${query} has no values`);
  return variable.includeAll || variable.multi ? many(values) : (values[0] as string);
}
