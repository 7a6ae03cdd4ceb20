import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../scripts/local/alert-receiver.js';
import { prometheusRuleGroups, workloadObjects } from '../../scripts/local/monitoring-sources.js';
import { LOCAL_BANK_API_POD } from '../../scripts/local/monitoring-up.js';
import { activeTargets, queryVector, ruleHealth } from '../../scripts/local/prometheus-api.js';
import { readState } from '../../scripts/local/state.js';
import { platformEnv } from './support/platform.js';

// The monitoring `npm run local:up` starts (scripts/local/monitoring-up.ts): Prometheus scrapes the
// platform's bank-api and Argo CD with the labels their ServiceMonitors give, has loaded every rule
// of the rendered manifests, and Alertmanager delivers to the local receiver along the chart's route.

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
});
