import { EXTERNAL_METRICS } from '../../../../charts/bank-api/observability.js';

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
