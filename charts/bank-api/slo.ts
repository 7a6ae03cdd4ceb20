import { EXCLUDE_PROBES, SLO, serviceSelector } from './observability.js';

// bank-api's service level indicators as PromQL, declared once. The recording rules and burn-rate
// alerts (alerts.ts) and the canary analysis of Argo Rollouts (analysis.ts) both build their queries
// here, so "an error" and "a slow request" mean the same thing to the pager and to the release brake.

/** Extra label matchers narrowing an SLI to some pods (e.g. the canary's, by pod name). */
export interface SliScope {
  readonly namespace: string;
  /** Additional matchers, comma-separated PromQL (`pod=~"bank-api-abc.*"`); empty for the whole service. */
  readonly matchers?: string;
}

const selector = (scope: SliScope, extra = '') =>
  serviceSelector(scope.namespace, [EXCLUDE_PROBES, scope.matchers ?? '', extra].filter(Boolean).join(','));

/** Requests per second over `window` (health probes excluded). */
export function requestRate(scope: SliScope, window: string): string {
  return `sum(rate(http_request_duration_seconds_count${selector(scope)}[${window}]))`;
}

/**
 * Share of requests answered with a 5xx over `window`: the availability SLI's error ratio. A service
 * that has never failed has no 5xx series at all; `or vector(0)` makes its ratio 0, not absent (an
 * absent ratio would leave the dashboard blank and the canary analysis without a verdict).
 */
export function errorRatio(scope: SliScope, window: string): string {
  const errors = `sum(rate(http_request_duration_seconds_count${selector(scope, 'status_code=~"5.."')}[${window}]))`;
  return `(\n  ${errors}\n  or vector(0)\n)\n/\n${requestRate(scope, window)}`;
}

/** Share of requests slower than the SLO's threshold over `window`: the latency SLI's error ratio. */
export function slowRatio(scope: SliScope, window: string): string {
  return (
    `1 - (\n  sum(rate(http_request_duration_seconds_bucket${selector(scope, `le="${SLO.latencyThresholdSeconds}"`)}[${window}]))\n` +
    `  /\n  ${requestRate(scope, window)}\n)`
  );
}

/** The error budget of each SLI: the share of requests allowed to fail it. */
export const ERROR_BUDGET = {
  availability: Number((1 - SLO.availability).toFixed(6)),
  latency: Number((1 - SLO.latency).toFixed(6)),
} as const;

/** The ratio an SLI reaches when it burns its budget `factor` times faster than sustainable. */
export function burnThreshold(kind: keyof typeof ERROR_BUDGET, factor: number): number {
  return Number((factor * ERROR_BUDGET[kind]).toFixed(6));
}
