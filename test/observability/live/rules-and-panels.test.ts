import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPodTarget, addScrapeJobLive } from '../../../scripts/local/monitoring.js';
import {
  bootstrapObjects,
  dashboardQueries,
  prometheusRuleGroups,
  workloadObjects,
} from '../../../scripts/local/monitoring-sources.js';
import { activeTargets, queryVector, ruleHealth } from '../../../scripts/local/prometheus-api.js';
import { type Load, startLoad } from './support/load.js';
import {
  controllerSeries,
  grafanaRateInterval,
  kubeStateMetricsSeries,
  panelSource,
  resolveDashboardVariable,
  substituteGrafanaVariables,
} from './support/panels.js';
import { ENV, type LiveStack, liveStackAvailable, startLiveStack } from './support/stack.js';

// Every recording rule and every dashboard panel query of the rendered manifests, evaluated by a real
// Prometheus that scrapes a real bank-api under customer traffic. A healthy service must give every
// one of them a value: a panel that shows "no data" (for example a 5xx ratio that is absent instead
// of 0 while nothing fails) is a defect, and so is a recording rule that records nothing. Panels fed
// by the Argo CD and Argo Rollouts controllers are checked against `npm run local:up`, where those
// controllers run (test/local-platform/monitoring.test.ts); kube-state-metrics is not run anywhere
// locally, so its panels are listed, not checked.

const available = liveStackAvailable('rules-and-panels.test.ts');
const workloads = workloadObjects(ENV);
const records = prometheusRuleGroups(workloads).flatMap((g) =>
  (g.rules ?? []).map((r) => r.record).filter((r): r is string => typeof r === 'string'),
);
const panels = dashboardQueries([...workloads, ...bootstrapObjects(ENV)]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available)(`rules and panels of manifests/${ENV}, live`, () => {
  let stack: LiveStack;
  let load: Load;
  let scrapeSeconds: number;

  beforeAll(async () => {
    stack = await startLiveStack();
    load = await startLoad(stack.service);
    const endpoint = stack.plan.endpoints[0];
    scrapeSeconds = Number.parseInt(endpoint?.interval ?? '30s', 10);
    // Every rule has been evaluated on at least two scrapes of traffic: rate() needs two samples.
    const t0 = Date.now();
    const rate = records.find((r) => r.startsWith('bank_api:http_requests:rate')) ?? 'up';
    while ((await queryVector(stack.plan.prometheusUrl, rate)).length === 0) {
      if (Date.now() - t0 > 240_000) throw new Error(`${rate} has no value after 240s`);
      await sleep(2000);
    }
    await sleep(scrapeSeconds * 1000 + 1000);
    console.log(
      `rules-and-panels: first recorded request rate after ${((Date.now() - t0) / 1000).toFixed(0)}s`,
    );
  }, 300_000);

  afterAll(async () => {
    await load?.stop();
    console.log(
      `rules-and-panels: load answered ${JSON.stringify(Object.fromEntries(load?.statuses ?? []))}`,
    );
    await stack?.stop();
  });

  it('scrapes bank-api with the labels its ServiceMonitor gives', async () => {
    const targets = await activeTargets(stack.plan.prometheusUrl);
    const api = targets.find((t) => t.labels.pod === 'bank-api-live-0');
    expect(api?.health, api?.lastError).toBe('up');
    expect(api?.labels).toMatchObject({
      namespace: 'bank',
      service: 'bank-api-metrics',
      job: 'bank-api',
      endpoint: 'metrics',
      container: 'bank-api',
    });
  });

  it('evaluates every rule without error', async () => {
    const broken = (await ruleHealth(stack.plan.prometheusUrl)).filter((r) => r.health !== 'ok');
    expect(broken.map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });

  it('records a value for every recording rule', async () => {
    expect(records.length).toBeGreaterThan(0);
    const empty: string[] = [];
    for (const record of records) {
      const samples = await queryVector(stack.plan.prometheusUrl, record);
      if (samples.length === 0) empty.push(record);
    }
    console.log(
      `rules-and-panels: ${records.length - empty.length}/${records.length} recording rules have a value`,
    );
    expect(empty, 'recording rules without a value on a healthy service').toEqual([]);
  });

  it('returns data for every bank-api panel query (controller and kube-state-metrics panels listed)', async () => {
    expect(panels.length).toBeGreaterThan(0);
    const variables = {
      __rate_interval: grafanaRateInterval(scrapeSeconds, 15),
      __interval: '15s',
      __range: '6h',
    };
    const noData: string[] = [];
    const skipped: string[] = [];
    const elsewhere: string[] = [];
    for (const panel of panels) {
      const where = `${panel.dashboard} / ${panel.panel} / ${panel.refId}`;
      const source = panelSource(panel.expr);
      if (source === 'kube-state-metrics') {
        // kube-state-metrics watches Deployments, HPAs and pods in the cluster; the local bank-api is
        // a process, not a pod, so nothing local can export these series.
        skipped.push(`${where} (${kubeStateMetricsSeries(panel.expr).join(', ')})`);
        continue;
      }
      if (source === 'controllers') {
        elsewhere.push(`${where} (${controllerSeries(panel.expr).join(', ')})`);
        continue;
      }
      const own: Record<string, string> = {};
      for (const v of panel.variables)
        own[v.name] = await resolveDashboardVariable(v, stack.plan.prometheusUrl);
      const samples = await queryVector(
        stack.plan.prometheusUrl,
        substituteGrafanaVariables(panel.expr, { ...own, ...variables }),
      );
      if (samples.length === 0) noData.push(`${where}: ${panel.expr}`);
    }
    const checked = panels.length - skipped.length - elsewhere.length;
    console.log(
      `rules-and-panels: ${checked - noData.length}/${checked} bank-api panel queries return data; ` +
        `checked against local:up (controllers): ${elsewhere.length}\n  ${elsewhere.join('\n  ')}\n` +
        `not checked (kube-state-metrics): ${skipped.length}\n  ${skipped.join('\n  ')}`,
    );
    expect(checked).toBeGreaterThan(0);
    expect(noData, 'panel queries that show "no data" on a healthy service').toEqual([]);
  });

  it('scrapes a job and target added while it runs (file_sd, reload)', async () => {
    // Later components (the Argo Rollouts controller, a canary) join this way; Alertmanager's own
    // metrics endpoint stands for one here.
    const job = {
      jobName: 'serviceMonitor/monitoring/alertmanager/0',
      interval: '5s',
      scrapeTimeout: '4s',
      path: '/metrics',
      scheme: 'http',
    };
    const added = Date.now();
    await addScrapeJobLive(stack.dir, stack.plan.prometheusUrl, job);
    addPodTarget(
      stack.dir,
      { ...job, labels: { namespace: 'monitoring', job: 'alertmanager' } },
      'alertmanager-local-0',
      new URL(stack.plan.alertmanagerUrl).host,
    );
    for (;;) {
      const up = await queryVector(
        stack.plan.prometheusUrl,
        'up{job="alertmanager",pod="alertmanager-local-0"} == 1',
      );
      if (up.length > 0) break;
      if (Date.now() - added > 60_000) throw new Error('the added target was not scraped within 60s');
      await sleep(1000);
    }
    console.log(
      `rules-and-panels: a target added at run time was scraped after ${((Date.now() - added) / 1000).toFixed(0)}s`,
    );
  });
});
