import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolloutsValues } from '../../argocd/rollouts-values.js';
import { ARGO_ROLLOUTS } from '../../argocd/versions.js';
import { bankApiRuleGroups } from '../../charts/bank-api/alerts.js';
import { CANARY_SLIS } from '../../charts/bank-api/analysis.js';
import { renderEnvironment } from '../../charts/render.js';
import { rawEnvironments } from '../../platform/config/environments.js';
import { parseEnvironment } from '../../platform/config/index.js';
import { prometheusUrl } from '../../platform/config/workloads.js';
import { metricNames } from './promql.js';
import { ofKind, parseManifests, type RenderedObject, renderAll, rowsOf } from './rendered.js';

// bank-api's progressive delivery as rendered: a Rollout with the very pod template a Deployment
// would have had, the environment's steps, and an AnalysisTemplate built from the alert rules' SLIs.

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped.
type Any = any;

const { objects, environments } = renderAll();
const repoRoot = join(import.meta.dirname, '..', '..');
const inEnv = (kind: string, env: string): RenderedObject[] =>
  ofKind(objects, kind).filter((o) => o.env.name === env);

/** The same environment with delivery switched back to a rolling update. */
function asDeployment(name: string): Any[] {
  const raw = structuredClone(rawEnvironments[name]) as Any;
  raw.bankApi.delivery = { kind: 'deployment' };
  const rendered = renderEnvironment(parseEnvironment(name, raw));
  return rendered.files.flatMap((f) => parseManifests(f.content) as Any[]);
}

describe.each(environments.map((e) => [e.name, e] as const))('%s: canary delivery', (name, env) => {
  const delivery = env.bankApi.delivery;
  const rollout: Any = inEnv('Rollout', name).find((r) => r.object.metadata.name === 'bank-api')?.object;
  const template: Any = inEnv('AnalysisTemplate', name)[0]?.object;

  it('bank-api is a Rollout moving through the configured steps, and no bank-api Deployment is left', () => {
    expect(delivery.kind).toBe('canary');
    if (delivery.kind !== 'canary') return;
    expect(rollout).toBeDefined();
    // bank-web stays a Deployment (rolling update); only the API is released as a canary.
    expect(inEnv('Deployment', name).map((d) => d.object.metadata.name)).not.toContain('bank-api');
    const canary = rollout.spec.strategy.canary;
    expect(canary.steps).toEqual(
      delivery.steps.map((s) => ('setWeight' in s ? s : { pause: { duration: s.pause } })),
    );
    expect(canary.analysis.startingStep).toBe(delivery.analysis.startingStep);
    expect(canary.analysis.templates).toEqual([{ templateName: template?.metadata.name }]);
    expect(canary.maxUnavailable).toBe(0);
    // ALB in prod: weights on the Ingress; replicas in dev: no traffic router at all.
    expect(canary.trafficRouting?.alb !== undefined).toBe(delivery.trafficRouting === 'alb');
  });

  it('keeps the pod template, HPA, PDB and Services a Deployment would have', () => {
    const before = asDeployment(name);
    const deployment = before.find((o) => o.kind === 'Deployment' && o.metadata.name === 'bank-api');
    const podTemplate = structuredClone(deployment.spec.template);
    // The one intended difference: spread counts pods of one revision, labelled by the Rollout's hash.
    for (const c of podTemplate.spec.topologySpreadConstraints)
      c.matchLabelKeys = ['rollouts-pod-template-hash'];
    expect(rollout.spec.template).toEqual(podTemplate);
    for (const field of ['selector', 'revisionHistoryLimit', 'minReadySeconds', 'progressDeadlineSeconds'])
      expect(rollout.spec[field], field).toEqual(deployment.spec[field]);
    expect(rollout.spec.replicas).toBeUndefined();
    expect(rollout.spec.strategy.canary.maxSurge).toBe(deployment.spec.strategy.rollingUpdate.maxSurge);

    const hpa: Any = inEnv('HorizontalPodAutoscaler', name)[0]?.object;
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'bank-api',
    });
    const oldHpa = before.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect({ ...hpa.spec, scaleTargetRef: undefined }).toEqual({ ...oldHpa.spec, scaleTargetRef: undefined });
    const pdb: Any = inEnv('PodDisruptionBudget', name)[0]?.object;
    expect(pdb.spec).toEqual(before.find((o) => o.kind === 'PodDisruptionBudget').spec);
  });

  it('the stable and canary Services match the API Service but for their names', () => {
    const services: Any[] = inEnv('Service', name).map((s) => s.object);
    const api = services.find((s) => s.metadata.name === 'bank-api');
    for (const side of ['stable', 'canary']) {
      const svc = services.find((s) => s.metadata.name === `bank-api-${side}`);
      expect(svc, side).toBeDefined();
      expect(svc.spec).toEqual(api.spec);
      expect(rollout.spec.strategy.canary[`${side}Service`]).toBe(`bank-api-${side}`);
    }
  });

  it('the AnalysisTemplate queries the shared Prometheus with the alert rules SLIs, at the fast-burn thresholds', () => {
    expect(template).toBeDefined();
    expect(template.metadata.namespace).toBe('bank');
    expect(template.spec.args).toEqual([{ name: 'canary-hash' }]);
    const alerts = bankApiRuleGroups({ namespace: 'bank', deploymentName: 'bank-api', runbookBaseUrl: 'x' })
      .flatMap((g) => g.rules ?? [])
      .filter((r) => r?.alert?.endsWith('BudgetBurnFast'));
    const alertThresholds = alerts.map((a) => Number(/> ([\d.]+)\n/.exec(String(a?.expr))?.[1])).sort();
    const analysisThresholds = template.spec.metrics
      .map((m: Any) => Number(/<= ([\d.]+)$/.exec(m.successCondition)?.[1]))
      .sort();
    expect(analysisThresholds).toEqual(alertThresholds);
    expect(template.spec.metrics.map((m: Any) => m.name)).toEqual(CANARY_SLIS.map((s) => s.metric));
    for (const metric of template.spec.metrics) {
      const { prometheus } = metric.provider;
      expect(prometheus.address).toBe(prometheusUrl());
      expect(metric.interval).toBe(delivery.kind === 'canary' ? delivery.analysis.interval : '');
      // Only the canary's pods, whose names carry the hash the Rollout passes in.
      expect(prometheus.query).toContain('pod=~"bank-api-{{args.canary-hash}}-.*"');
      // Valid PromQL once the argument is substituted, reading only the service's own histogram.
      const query = prometheus.query.replaceAll('{{args.canary-hash}}', '5d7f9c6b8');
      expect(metricNames(query)).toEqual(
        ['http_request_duration_seconds_bucket', 'http_request_duration_seconds_count'].filter((m) =>
          query.includes(m),
        ),
      );
      // The failure and success conditions partition every non-empty result; empty is inconclusive.
      expect(metric.failureCondition.replace(/> ([\d.]+)$/, '<= $1')).toBe(metric.successCondition);
    }
  });
});

describe('canary delivery config is validated', () => {
  const withDelivery = (mutate: (d: Any) => void) => {
    const raw = structuredClone(rawEnvironments.prod) as Any;
    mutate(raw.bankApi.delivery);
    return () => parseEnvironment('prod', raw);
  };

  it('rejects a weight that does not grow, naming the step', () => {
    expect(withDelivery((d) => (d.steps = [{ setWeight: 50 }, { setWeight: 25 }]))).toThrow(
      /prod\.bankApi\.delivery\.steps\.1\.setWeight: must be greater than the previous setWeight/,
    );
  });

  it('rejects an analysis starting after the last step', () => {
    expect(withDelivery((d) => (d.analysis.startingStep = 99))).toThrow(/delivery\.analysis\.startingStep/);
  });

  it('rejects an unknown traffic router and a malformed pause', () => {
    expect(withDelivery((d) => (d.trafficRouting = 'istio'))).toThrow(/delivery\.trafficRouting/);
    expect(withDelivery((d) => (d.steps = [{ setWeight: 10 }, { pause: 'forever' }]))).toThrow(
      /delivery\.steps\.1/,
    );
  });

  it('accepts a plain rolling update', () => {
    expect(
      withDelivery((d) => {
        for (const k of Object.keys(d)) delete d[k];
        d.kind = 'deployment';
      })(),
    ).toMatchObject({ bankApi: { delivery: { kind: 'deployment' } } });
  });

  it('every rendered environment has a Rollout', () => {
    expect(rowsOf(ofKind(objects, 'Rollout'), 'Rollouts').length).toBe(environments.length);
  });
});

describe('one Argo Rollouts release everywhere', () => {
  const required = (file: string) =>
    /github\.com\/argoproj\/argo-rollouts (v[\d.]+)/.exec(readFileSync(join(repoRoot, file), 'utf8'))?.[1];

  it('the chart runs the release the local platform builds and whose CRDs the cluster tests install', () => {
    expect(required('test/cluster/rollouts/go.mod')).toBe(ARGO_ROLLOUTS.appVersion);
    expect(required('test/cluster/crds/go.mod')).toBe(ARGO_ROLLOUTS.appVersion);
    expect(rolloutsValues()).toMatchObject({ controller: { image: { tag: ARGO_ROLLOUTS.appVersion } } });
  });
});
