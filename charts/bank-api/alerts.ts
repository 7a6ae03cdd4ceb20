import type { IRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule';
import type { IRuleGroup } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup';
import { BURN_WINDOWS, RECORDING_WINDOWS, SLO, serviceSelector } from './observability.js';
import { burnThreshold, errorRatio, requestRate, slowRatio } from './slo.js';

export interface AlertRuleOptions {
  readonly namespace: string;
  readonly deploymentName: string;
  /** Base URL of docs/runbooks/; each alert links `<base>/<kebab-case alert name>.md`. */
  readonly runbookBaseUrl: string;
}

/** docs/runbooks/<file>.md for an alert: BankApiDatabaseUnreachable → bank-api-database-unreachable. */
export function runbookFile(alertName: string): string {
  return `${alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.md`;
}

/** One multi-window burn-rate pair: alert when both windows burn `factor` times too fast for `for`. */
export interface BurnWindow {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
}

/**
 * Every time span the rules use. The defaults are the production rules; a drill builds a short-window
 * copy from the same code (`{ ...DEFAULT_RULE_WINDOWS, burn: ... }`) instead of editing a copy of the YAML.
 */
export interface RuleWindows {
  /** Windows the SLI recording rules are kept for; every burn window must be one of them. */
  readonly recording: readonly string[];
  /** Evaluation interval of the recording rules. */
  readonly recordingInterval: string;
  readonly burn: { readonly fast: BurnWindow; readonly slow: BurnWindow };
  /** BankApiHighErrorRate: the recording window it reads and how long it must hold. */
  readonly highErrorRate: { readonly window: string; readonly for: string };
  /** How long each symptom must hold before its alert fires. */
  readonly poolSaturatedFor: string;
  readonly databaseUnreachableFor: string;
  readonly metricsDownFor: string;
  /** BankApiPodRestarting: the window restarts are counted over. */
  readonly restartWindow: string;
}

export const DEFAULT_RULE_WINDOWS: RuleWindows = {
  recording: RECORDING_WINDOWS,
  recordingInterval: '30s',
  burn: BURN_WINDOWS,
  highErrorRate: { window: '5m', for: '5m' },
  poolSaturatedFor: '10m',
  databaseUnreachableFor: '2m',
  metricsDownFor: '5m',
  restartWindow: '30m',
};

/** Recording rules (SLIs per window) and alerts for bank-api. */
export function bankApiRuleGroups(
  o: AlertRuleOptions,
  windows: RuleWindows = DEFAULT_RULE_WINDOWS,
): IRuleGroup[] {
  const needed = [
    windows.burn.fast.long,
    windows.burn.fast.short,
    windows.burn.slow.long,
    windows.burn.slow.short,
    windows.highErrorRate.window,
  ];
  const missing = needed.filter((w) => !windows.recording.includes(w));
  if (missing.length > 0)
    throw new Error(`rule windows: ${[...new Set(missing)].join(', ')} must be among the recording windows`);
  const scope = { namespace: o.namespace };

  const recording: IRule[] = windows.recording.flatMap((w) => [
    { record: `bank_api:http_requests:rate${w}`, expr: requestRate(scope, w) },
    { record: `bank_api:http_errors:ratio_rate${w}`, expr: errorRatio(scope, w) },
    { record: `bank_api:http_slow_requests:ratio_rate${w}`, expr: slowRatio(scope, w) },
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
    const w = windows.burn[speed];
    const threshold = burnThreshold(kind, w.factor);
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
      `bank_api:http_errors:ratio_rate${windows.highErrorRate.window} > 0.05\nand\nbank_api:http_requests:rate${windows.highErrorRate.window} > 1`,
      windows.highErrorRate.for,
      'critical',
      'bank-api answers more than 5% of requests with 5xx',
      'More than 5% of API requests failed with a server error for 5 minutes ({{ $value | humanizePercentage }}).',
    ),
    alert(
      'BankApiDatabasePoolSaturated',
      `max by (pod) (bank_db_pool_in_use${svc} / bank_db_pool_max${svc}) > 0.9\nor\nmax by (pod) (bank_db_pool_waiting${svc}) > 0`,
      windows.poolSaturatedFor,
      'warning',
      'bank-api database connection pool is saturated on {{ $labels.pod }}',
      'Pod {{ $labels.pod }} has used over 90% of its PostgreSQL connections, or had requests waiting for one, for 10 minutes.',
    ),
    alert(
      'BankApiDatabaseUnreachable',
      `bank_db_up${svc} == 0`,
      windows.databaseUnreachableFor,
      'critical',
      'bank-api cannot reach PostgreSQL from {{ $labels.pod }}',
      'Pod {{ $labels.pod }} has reported the database as down for 2 minutes; it is not ready and takes no traffic.',
    ),
    alert(
      'BankApiPodRestarting',
      `increase(kube_pod_container_status_restarts_total${ksm}[${windows.restartWindow}]) > 2`,
      '0m',
      'warning',
      'bank-api pod {{ $labels.pod }} restarted more than twice in 30 minutes',
      'Container {{ $labels.container }} in {{ $labels.pod }} restarted {{ $value | humanize }} times in 30 minutes.',
    ),
    alert(
      'BankApiMetricsDown',
      `absent(up${svc} == 1)`,
      windows.metricsDownFor,
      'critical',
      'Prometheus scrapes no healthy bank-api target',
      'No bank-api metrics endpoint has been up for 5 minutes: the service is down or unobservable, and the other alerts are blind.',
    ),
  ];

  return [
    { name: 'bank-api.slis', interval: windows.recordingInterval, rules: recording },
    { name: 'bank-api.alerts', rules: alerts },
  ];
}
