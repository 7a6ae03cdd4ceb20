import type { IRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule';
import type { IRuleGroup } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup';
import { BURN_WINDOWS, EXCLUDE_PROBES, RECORDING_WINDOWS, SLO, serviceSelector } from './observability.js';

export interface AlertRuleOptions {
  readonly namespace: string;
  readonly deploymentName: string;
  /** Base URL of docs/runbooks/; each alert links `<base>/<kebab-case alert name>.md`. */
  readonly runbookBaseUrl: string;
  /** Burn-rate windows; BURN_WINDOWS unless a live test needs short ones to watch the alerts fire. */
  readonly burnWindows?: BurnWindows;
}

export type BurnWindows = Record<
  keyof typeof BURN_WINDOWS,
  {
    readonly long: string;
    readonly short: string;
    readonly factor: number;
    readonly for: string;
    readonly severity: 'critical' | 'warning';
  }
>;

/** docs/runbooks/<file>.md for an alert: BankApiDatabaseUnreachable → bank-api-database-unreachable. */
export function runbookFile(alertName: string): string {
  return `${alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.md`;
}

/** Recording rules (SLIs per window) and alerts for bank-api. */
export function bankApiRuleGroups(o: AlertRuleOptions): IRuleGroup[] {
  const sel = (extra = '') => serviceSelector(o.namespace, [EXCLUDE_PROBES, extra].filter(Boolean).join(','));
  const requests = (w: string, extra = '') =>
    `sum(rate(http_request_duration_seconds_count${sel(extra)}[${w}]))`;

  const burnWindows = o.burnWindows ?? BURN_WINDOWS;
  // Every window a burn alert reads is recorded (with the defaults, exactly RECORDING_WINDOWS).
  const windows = [
    ...new Set([...RECORDING_WINDOWS, ...Object.values(burnWindows).flatMap((w) => [w.long, w.short])]),
  ];
  const recording: IRule[] = windows.flatMap((w) => [
    { record: `bank_api:http_requests:rate${w}`, expr: requests(w) },
    {
      record: `bank_api:http_errors:ratio_rate${w}`,
      expr: `${requests(w, 'status_code=~"5.."')}\n/\n${requests(w)}`,
    },
    {
      record: `bank_api:http_slow_requests:ratio_rate${w}`,
      expr:
        `1 - (\n  sum(rate(http_request_duration_seconds_bucket${sel(`le="${SLO.latencyThresholdSeconds}"`)}[${w}]))\n` +
        `  /\n  ${requests(w)}\n)`,
    },
  ]);

  const alert = (
    name: string,
    expr: string,
    forDuration: string,
    severity: 'critical' | 'warning',
    summary: string,
    description: string,
  ): IRule => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity, service: 'bank-api' },
    annotations: { summary, description, runbook_url: `${o.runbookBaseUrl}/${runbookFile(name)}` },
  });

  const burn = (kind: 'availability' | 'latency', speed: 'fast' | 'slow') => {
    const w = burnWindows[speed];
    const budget = kind === 'availability' ? 1 - SLO.availability : 1 - SLO.latency;
    const threshold = Number((w.factor * budget).toFixed(6));
    const series =
      kind === 'availability' ? 'bank_api:http_errors:ratio_rate' : 'bank_api:http_slow_requests:ratio_rate';
    const name = `BankApi${kind === 'availability' ? 'Availability' : 'Latency'}BudgetBurn${speed === 'fast' ? 'Fast' : 'Slow'}`;
    const what =
      kind === 'availability'
        ? `5xx responses are spending the ${SLO.availability * 100}% availability budget`
        : `requests slower than ${SLO.latencyThresholdSeconds}s are spending the ${SLO.latency * 100}% latency budget`;
    return alert(
      name,
      `${series}${w.long} > ${threshold}\nand\n${series}${w.short} > ${threshold}`,
      w.for,
      w.severity,
      `bank-api ${kind} error budget burning ${w.factor}x too fast`,
      `Over ${w.long} (confirmed over ${w.short}) ${what} at ${w.factor}x the sustainable rate.`,
    );
  };

  const svc = serviceSelector(o.namespace);
  const ksm = `{namespace="${o.namespace}",container="${o.deploymentName}"}`;
  const alerts: IRule[] = [
    burn('availability', 'fast'),
    burn('availability', 'slow'),
    burn('latency', 'fast'),
    burn('latency', 'slow'),
    alert(
      'BankApiHighErrorRate',
      'bank_api:http_errors:ratio_rate5m > 0.05\nand\nbank_api:http_requests:rate5m > 1',
      '5m',
      'critical',
      'bank-api answers more than 5% of requests with 5xx',
      'More than 5% of API requests failed with a server error for 5 minutes ({{ $value | humanizePercentage }}).',
    ),
    alert(
      'BankApiDatabasePoolSaturated',
      `max by (pod) (bank_db_pool_in_use${svc} / bank_db_pool_max${svc}) > 0.9\nor\nmax by (pod) (bank_db_pool_waiting${svc}) > 0`,
      '10m',
      'warning',
      'bank-api database connection pool is saturated on {{ $labels.pod }}',
      'Pod {{ $labels.pod }} has used over 90% of its PostgreSQL connections, or had requests waiting for one, for 10 minutes.',
    ),
    alert(
      'BankApiDatabaseUnreachable',
      `bank_db_up${svc} == 0`,
      '2m',
      'critical',
      'bank-api cannot reach PostgreSQL from {{ $labels.pod }}',
      'Pod {{ $labels.pod }} has reported the database as down for 2 minutes; it is not ready and takes no traffic.',
    ),
    alert(
      'BankApiPodRestarting',
      `increase(kube_pod_container_status_restarts_total${ksm}[30m]) > 2`,
      '0m',
      'warning',
      'bank-api pod {{ $labels.pod }} restarted more than twice in 30 minutes',
      'Container {{ $labels.container }} in {{ $labels.pod }} restarted {{ $value | humanize }} times in 30 minutes.',
    ),
    alert(
      'BankApiMetricsDown',
      `absent(up${svc} == 1)`,
      '5m',
      'critical',
      'Prometheus scrapes no healthy bank-api target',
      'No bank-api metrics endpoint has been up for 5 minutes: the service is down or unobservable, and the other alerts are blind.',
    ),
  ];

  return [
    { name: 'bank-api.slis', interval: '30s', rules: recording },
    { name: 'bank-api.alerts', rules: alerts },
  ];
}
