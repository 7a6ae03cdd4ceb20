// PromQL shapes that keep a panel from showing "no data" on a healthy service. Counters with labels
// appear only once something is counted (no 5xx yet, no rollout aborted yet), so a naive query is
// absent exactly when all is well.

/** Grafana's rate window: follows the scrape interval and the zoom level. */
export const RATE_INTERVAL = '$__rate_interval';

/** `expr`, or a single 0 when it selects nothing (`on()` drops the 0 as soon as `expr` has a series). */
export function orZero(expr: string): string {
  return `${expr} or on() vector(0)`;
}

/**
 * Per-`by` rate of the series matching `filter`, 0 for the groups that have traffic but no matching
 * series: `rate(matching) or 0 * rate(all)` fills the gaps with zeros of the same labels.
 */
export function rateByOrZero(
  metric: string,
  selector: (extra?: string) => string,
  filter: string,
  by: string,
  window: string,
): string {
  return (
    `sum by (${by}) (rate(${metric}${selector(filter)}[${window}])` +
    ` or 0 * rate(${metric}${selector()}[${window}]))`
  );
}

/**
 * Share of `metric` matching `filter` per `by` group: 0, not absent, when nothing matches. Groups
 * without traffic in the window (a route called once an hour) are left out rather than drawn as 0/0.
 */
export function ratioByOrZero(
  metric: string,
  selector: (extra?: string) => string,
  filter: string,
  by: string,
  window: string,
): string {
  return `${rateByOrZero(metric, selector, filter, by, window)}\n/\n(sum by (${by}) (rate(${metric}${selector()}[${window}])) > 0)`;
}

/** `expr` without its NaN samples (a quantile of a group with no observations in the window). */
export function withoutNaN(expr: string): string {
  // NaN compares false with everything, so the filter keeps exactly the numbers.
  return `${expr} >= 0`;
}

/**
 * How much the counters `metric{matchers}` grew over `window`, counting counters born inside it.
 * `increase` needs two samples, so a counter created by its first event (a first aborted rollout, a
 * first failed sync) would show 0; the value such a counter had when it appeared is added back.
 * (While Prometheus holds less history than `window`, every counter counts as born inside it.)
 */
export function growthOver(metric: string, matchers: string, window: string): string {
  const selector = `${metric}{${matchers}}`;
  return (
    `(sum(increase(${selector}[${window}])) or on() vector(0))\n+\n` +
    `(sum(min_over_time(${selector}[${window}]) unless ${selector} offset ${window}) or on() vector(0))`
  );
}
