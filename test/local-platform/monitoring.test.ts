import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../scripts/local/alert-receiver.js';
import { ROLLOUTS_METRICS_SERVICE } from '../../scripts/local/monitoring.js';
import {
  bootstrapObjects,
  dashboardQueries,
  prometheusRuleGroups,
  workloadObjects,
} from '../../scripts/local/monitoring-sources.js';
import { LOCAL_BANK_API_POD } from '../../scripts/local/monitoring-up.js';
import { readPodProcesses } from '../../scripts/local/pod-processes.js';
import { activeTargets, queryVector, ruleHealth } from '../../scripts/local/prometheus-api.js';
import { readState } from '../../scripts/local/state.js';
import {
  grafanaRateInterval,
  panelSource,
  resolveDashboardVariable,
  substituteGrafanaVariables,
} from '../observability/live/support/panels.js';
import { kubectlJson, platformEnv } from './support/platform.js';

// The monitoring `npm run local:up` starts (scripts/local/monitoring-up.ts): Prometheus scrapes the
// platform's bank-api and Argo CD with the labels their ServiceMonitors give, has loaded every rule
// of the rendered manifests, and Alertmanager delivers to the local receiver along the chart's route.
// The dashboard panels fed by the Argo CD and Argo Rollouts controllers are checked here, where both
// controllers really run (the standalone live stack of test/observability/live runs bank-api only).
// The analysis panels need an AnalysisRun: the files run in name order, so deploy.test.ts has run
// canaries by now.

const env = platformEnv();
const urls = readState()?.urls ?? {};
const prometheus = urls.prometheus ?? '';
const alertmanager = urls.alertmanager ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs / 1000}s`);
    await sleep(2000);
  }
}

describe('local monitoring', () => {
  it('prints the Prometheus and Alertmanager URLs in local:status', () => {
    expect(prometheus).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alertmanager).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('scrapes bank-api and Argo CD with their ServiceMonitor labels', async () => {
    const targets = await eventually('every target up', 90_000, async () => {
      const all = await activeTargets(prometheus);
      return all.length >= 4 && all.every((t) => t.health === 'up') ? all : undefined;
    });
    expect(targets.find((t) => t.labels.pod === LOCAL_BANK_API_POD)?.labels).toMatchObject({
      job: 'bank-api',
      namespace: 'bank',
      service: 'bank-api-metrics',
      endpoint: 'metrics',
    });
    expect(targets.map((t) => t.labels.job).sort()).toEqual(
      expect.arrayContaining([
        'argocd-application-controller-metrics',
        'argocd-repo-server-metrics',
        'argocd-server-metrics',
      ]),
    );
    // The kubelet's readiness calls reach bank-api, so its database gauge is live.
    await eventually('bank_db_up == 1', 90_000, async () =>
      (await queryVector(prometheus, 'bank_db_up{job="bank-api"} == 1')).length > 0 ? true : undefined,
    );
  });

  it(`loads every rule of manifests/${env.name}`, async () => {
    const rendered = prometheusRuleGroups(workloadObjects(env.name)).flatMap((g) =>
      (g.rules ?? []).map((r) => r.record ?? r.alert),
    );
    const loaded = await ruleHealth(prometheus);
    expect(loaded.map((r) => r.name).sort()).toEqual([...rendered].sort());
    expect(loaded.filter((r) => r.health === 'err')).toEqual([]);
  });

  it('routes a critical alert to the on-call receiver', async () => {
    const alertname = `LocalPlatformRouteCheck${Date.now()}`;
    const posted = await fetch(`${alertmanager}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname, severity: 'critical', namespace: 'bank', service: 'bank-api' } },
      ]),
    });
    expect(posted.status).toBe(200);
    const delivery = await eventually('delivery at the receiver', 120_000, async () => {
      const deliveries = (await (await fetch(urls.alertReceiver ?? '')).json()) as Delivery[];
      return deliveries.find((d) => d.alerts.some((a) => a.labels.alertname === alertname));
    });
    expect(delivery.receiver).toBe('oncall');
  });

  it('scrapes the Argo Rollouts controller with the labels its chart ServiceMonitor gives', async () => {
    const target = await eventually('the controller target up', 90_000, async () =>
      (await activeTargets(prometheus)).find(
        (t) => t.labels.service === ROLLOUTS_METRICS_SERVICE && t.health === 'up',
      ),
    );
    expect(target.labels).toMatchObject({ job: ROLLOUTS_METRICS_SERVICE, namespace: 'argo-rollouts' });
    // honorLabels: the Rollout's own namespace survives, as the rollouts dashboard selects on it.
    await eventually('rollout_info of bank-api', 90_000, async () =>
      (await queryVector(prometheus, 'rollout_info{namespace="bank",name="bank-api"}')).length > 0
        ? true
        : undefined,
    );
  });

  it('scrapes every pod of the Rollout under its own name, served by a real bank-api process', async () => {
    const pods = kubectlJson<{ items: { metadata: { name: string } }[] }>([
      'get',
      'pods',
      '-n',
      'bank',
      '-l',
      'app.kubernetes.io/name=bank-api,rollouts-pod-template-hash',
    ]).items.map((p) => p.metadata.name);
    expect(pods.length).toBeGreaterThan(0);
    const served = await eventually('a process and an up target for every pod', 180_000, async () => {
      const processes = readPodProcesses();
      const targets = await activeTargets(prometheus);
      const up = pods.filter(
        (pod) =>
          processes[pod] !== undefined &&
          targets.some((t) => t.labels.pod === pod && t.labels.job === 'bank-api' && t.health === 'up'),
      );
      return up.length === pods.length ? up : undefined;
    });
    expect(served.sort()).toEqual([...pods].sort());
  });

  it('returns data for every panel query the Argo CD and Argo Rollouts controllers feed', async () => {
    const panels = dashboardQueries([...workloadObjects(env.name), ...bootstrapObjects(env.name)]).filter(
      (p) => panelSource(p.expr) === 'controllers',
    );
    expect(panels.length).toBeGreaterThan(0);
    const variables = { __rate_interval: grafanaRateInterval(30, 15), __interval: '15s', __range: '6h' };
    const missing = async () => {
      const out: string[] = [];
      for (const panel of panels) {
        const own: Record<string, string> = {};
        for (const v of panel.variables) own[v.name] = await resolveDashboardVariable(v, prometheus);
        const expr = substituteGrafanaVariables(panel.expr, { ...own, ...variables });
        if ((await queryVector(prometheus, expr)).length === 0)
          out.push(`${panel.dashboard} / ${panel.panel} / ${panel.refId}: ${panel.expr}`);
      }
      return out;
    };
    // Two scrapes of the controllers (30s apart) before rate() has anything to say.
    const noData = await eventually('data for every controller panel', 150_000, async () =>
      (await missing()).length === 0 ? [] : undefined,
    ).catch(missing);
    console.log(`monitoring: ${panels.length} controller panel queries checked against local:up`);
    expect(noData, 'controller panel queries that show "no data"').toEqual([]);
  });
});
