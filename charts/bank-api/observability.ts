// Shared vocabulary of bank-api's alerts and dashboard: label selectors, SLO targets and the few
// series that come from other exporters. Every other metric name used must be one the service
// itself exports (checked against a running service's /metrics in test/manifests).

export const BANK_API_JOB = 'bank-api';

/** Series scraped from bank-api pods (the ServiceMonitor's jobLabel makes `job` the app name). */
export function serviceSelector(namespace: string, extra = ''): string {
  return `{job="${BANK_API_JOB}",namespace="${namespace}"${extra ? `,${extra}` : ''}}`;
}

/** Health endpoints are hit by kubelet and the ALB every few seconds; they would dilute the SLIs. */
export const EXCLUDE_PROBES = 'route!~"/livez|/readyz"';

export const SLO = {
  /** 99.9 % of API requests succeed (non-5xx) over 30 days. */
  availability: 0.999,
  /** 99 % of API requests finish within `latencyThresholdSeconds`. */
  latency: 0.99,
  /** Must be one of the service's histogram bucket bounds (`le`); the metrics test checks it. */
  latencyThresholdSeconds: '0.25',
} as const;

/** Multi-window burn-rate pairs (long, short window, burn factor) for a 30-day SLO. */
export const BURN_WINDOWS = {
  fast: { long: '1h', short: '5m', factor: 14.4, for: '2m', severity: 'critical' },
  slow: { long: '6h', short: '30m', factor: 6, for: '15m', severity: 'warning' },
} as const;

export const RECORDING_WINDOWS = ['5m', '30m', '1h', '6h'] as const;

/** Series the rules and dashboard read from kube-state-metrics and Prometheus itself, by name. */
export const EXTERNAL_METRICS: Readonly<Record<string, 'kube-state-metrics' | 'prometheus'>> = {
  kube_pod_container_status_restarts_total: 'kube-state-metrics',
  kube_deployment_status_replicas_available: 'kube-state-metrics',
  kube_horizontalpodautoscaler_status_desired_replicas: 'kube-state-metrics',
  up: 'prometheus',
};
