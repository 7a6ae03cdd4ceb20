import { describe, expect, it } from 'vitest';
import { localAlertmanagerConfig, prometheusConfig } from '../../../scripts/local/monitoring-config.js';
import {
  alertmanagerConfig,
  bootstrapObjects,
  dashboardQueries,
  type K8sObject,
  kubePrometheusStackValues,
  prometheusRuleGroups,
  serviceMonitorEndpoints,
  workloadObjects,
} from '../../../scripts/local/monitoring-sources.js';
import { seconds } from './support/drill.js';
import {
  grafanaRateInterval,
  kubeStateMetricsSeries,
  resolveDashboardVariable,
  substituteGrafanaVariables,
} from './support/panels.js';

/** Grafana's braced variable syntax (literal text, not a JS template). */
const BRACED_RANGE = '$' + '{__range}';

// How the local Prometheus and Alertmanager read the rendered manifests (no engines needed here; the
// live files next to this one run them).

describe.each(['dev', 'prod'])('monitoring sources of manifests/%s', (env) => {
  const workloads = workloadObjects(env);

  it('gives the bank-api target the labels prometheus-operator would', () => {
    const endpoints = serviceMonitorEndpoints(workloads);
    // bank-web has a ServiceMonitor of its own; the local platform runs no bank-web process.
    expect(endpoints.map((e) => e.labels.job).sort()).toEqual(['bank-api', 'bank-web']);
    const endpoint = endpoints.find((e) => e.labels.job === 'bank-api');
    expect(endpoint).toEqual({
      jobName: 'serviceMonitor/bank/bank-api/0',
      interval: '30s',
      scrapeTimeout: '10s',
      path: '/metrics',
      scheme: 'http',
      labels: {
        namespace: 'bank',
        service: 'bank-api-metrics',
        container: 'bank-api',
        endpoint: 'metrics',
        job: 'bank-api',
      },
      containerPort: 9464,
    });
  });

  it('takes the rule groups and panel queries as rendered', () => {
    const rule = workloads.find((o) => o.kind === 'PrometheusRule') as K8sObject;
    expect(prometheusRuleGroups(workloads)).toEqual((rule.spec as { groups: unknown }).groups);
    const queries = dashboardQueries(workloads);
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.every((q) => q.expr.length > 0 && q.panel.length > 0)).toBe(true);
  });

  it("keeps the chart's route and points the SNS receiver at the local webhook", () => {
    const config = alertmanagerConfig(kubePrometheusStackValues(bootstrapObjects(env)));
    const local = localAlertmanagerConfig(config, 'http://127.0.0.1:1');
    expect(local.route).toEqual(config.route);
    expect(local.inhibit_rules).toEqual(config.inhibit_rules);
    expect(local.receivers).toEqual([
      { name: 'null' },
      { name: 'oncall', webhook_configs: [{ url: 'http://127.0.0.1:1/oncall', send_resolved: true }] },
    ]);
  });
});

describe('monitoring config details', () => {
  it('refuses a ServiceMonitor that selects no Service', () => {
    const monitor: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'x', namespace: 'bank' },
      spec: { selector: { matchLabels: { app: 'none' } }, endpoints: [{ port: 'metrics' }] },
    };
    expect(() => serviceMonitorEndpoints([monitor])).toThrow(/selects 0 Services/);
  });

  it('scrapes each job from its file_sd folder and sends alerts to Alertmanager', () => {
    const config = prometheusConfig({
      dir: '/d',
      jobs: [
        {
          jobName: 'serviceMonitor/bank/bank-api/0',
          interval: '15s',
          scrapeTimeout: '5s',
          path: '/m',
          scheme: 'http',
        },
      ],
      ruleGroups: [],
      externalLabels: { cluster: 'c' },
      evaluationInterval: '30s',
      alertmanagerAddress: '127.0.0.1:9',
    }) as { scrape_configs: Record<string, unknown>[]; alerting: unknown };
    expect(config.scrape_configs[0]).toMatchObject({
      scrape_interval: '15s',
      metrics_path: '/m',
      file_sd_configs: [{ files: ['/d/targets/serviceMonitor_bank_bank-api_0/*.json'] }],
    });
    expect(JSON.stringify(config.alerting)).toContain('127.0.0.1:9');
  });

  it("replaces Grafana's variables as Grafana does, and refuses unknown ones", () => {
    expect(grafanaRateInterval(30, 15)).toBe('120s');
    expect(grafanaRateInterval(30, 120)).toBe('150s');
    expect(
      substituteGrafanaVariables(`rate(x[$__rate_interval]) + y[${BRACED_RANGE}]`, {
        __rate_interval: '2m',
        __range: '6h',
      }),
    ).toBe('rate(x[2m]) + y[6h]');
    expect(() => substituteGrafanaVariables('x{pod="$pod"}', {})).toThrow(/\$pod/);
    expect(kubeStateMetricsSeries('sum(kube_deployment_status_replicas_available{a="b"})')).toEqual([
      'kube_deployment_status_replicas_available',
    ]);
    expect(kubeStateMetricsSeries('sum(up)')).toEqual([]);
  });

  it("resolves a dashboard variable's value as Grafana first selects it", async () => {
    const none = 'http://127.0.0.1:1';
    expect(await resolveDashboardVariable({ name: 'ns', type: 'constant', query: 'bank' }, none)).toBe(
      'bank',
    );
    expect(await resolveDashboardVariable({ name: 'c', type: 'custom', query: 'a, b' }, none)).toBe('a');
    expect(
      await resolveDashboardVariable(
        { name: 'p', type: 'query', current: { value: ['x', 'y'] }, query: 'label_values(pod)' },
        none,
      ),
    ).toBe('(x|y)');
    await expect(
      resolveDashboardVariable({ name: 'q', type: 'query', query: 'query_result(up)' }, none),
    ).rejects.toThrow(/cannot be resolved/);
  });

  it('reads durations as Prometheus writes them', () => {
    expect(seconds('2m')).toBe(120);
    expect(seconds('1h30m')).toBe(5400);
    expect(() => seconds('2 minutes')).toThrow(/not a duration/);
  });
});
