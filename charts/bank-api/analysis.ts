import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { IMetric } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Metric';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { prometheusUrl } from '../../platform/config/workloads.js';
import { CANARY_HASH_ARG } from '../lib/web-service/delivery.js';
import { BURN_WINDOWS } from './observability.js';
import { burnThreshold, errorRatio, requestRate, type SliScope, slowRatio } from './slo.js';

// The canary's brake: an Argo Rollouts AnalysisTemplate that measures the canary pods' SLIs with the
// very PromQL the burn-rate alerts use (slo.ts), and fails when the canary burns either error budget
// as fast as the page-worthy fast-burn alert means. A failed analysis aborts the Rollout, which sends
// all traffic back to the stable ReplicaSet and scales the canary down.

export type CanaryAnalysisConfig = Extract<
  EnvironmentConfig['bankApi']['delivery'],
  { kind: 'canary' }
>['analysis'];

export interface AnalysisTemplateOptions {
  readonly name: string;
  readonly namespace: string;
  /** The Rollout's name: its pods are called `<rollout>-<pod-template-hash>-<suffix>`. */
  readonly rolloutName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly analysis: CanaryAnalysisConfig;
}

/** The SLIs the canary is held to, and the ratio each may reach: the fast-burn alerts' thresholds. */
export const CANARY_SLIS = [
  { metric: 'error-ratio', sli: errorRatio, max: burnThreshold('availability', BURN_WINDOWS.fast.factor) },
  { metric: 'slow-ratio', sli: slowRatio, max: burnThreshold('latency', BURN_WINDOWS.fast.factor) },
] as const;

/** The canary pods only, by the hash Argo Rollouts passes in as an argument. */
export const canaryScope = (namespace: string, rolloutName: string): SliScope => ({
  namespace,
  matchers: `pod=~"${rolloutName}-{{args.${CANARY_HASH_ARG}}}-.*"`,
});

/**
 * One SLI of the canary as a query that returns nothing while the canary serves too little traffic to
 * judge: the measurement is then neither a success nor a failure (inconclusive), and the Rollout waits.
 */
export function canaryQuery(
  sli: (scope: SliScope, window: string) => string,
  scope: SliScope,
  analysis: CanaryAnalysisConfig,
): string {
  return `(\n${sli(scope, analysis.window)}\n)\nand on ()\n${requestRate(scope, analysis.window)} >= ${analysis.minRequestsPerSecond}`;
}

export function bankApiAnalysisTemplate(o: AnalysisTemplateOptions): IAnalysisTemplate {
  const scope = canaryScope(o.namespace, o.rolloutName);
  const metrics: IMetric[] = CANARY_SLIS.map(({ metric, sli, max }) => ({
    name: metric,
    // The first measurement waits one rate window, so it reads the canary's own traffic only.
    initialDelay: o.analysis.window,
    interval: o.analysis.interval,
    failureLimit: o.analysis.failureLimit,
    // An empty result (too little traffic) matches neither condition: inconclusive.
    successCondition: `len(result) > 0 && result[0] <= ${max}`,
    failureCondition: `len(result) > 0 && result[0] > ${max}`,
    provider: { prometheus: { address: prometheusUrl(), query: canaryQuery(sli, scope, o.analysis) } },
  }));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...o.labels },
      annotations: { ...o.annotations },
    },
    spec: { args: [{ name: CANARY_HASH_ARG }], metrics },
  };
}
