import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { id, renderAll, rowsOf } from './rendered.js';

// Every rendered object is re-read from YAML and validated against the JSON schema of its kind:
// core kinds from kubernetes-models, CRDs from the matching @kubernetes-models/* package.

type Validator = new (data: never) => { validate(): void };

const MODELS: Record<string, Validator> = {};
for (const model of [
  Namespace,
  PriorityClass,
  ResourceQuota,
  LimitRange,
  ServiceAccount,
  ConfigMap,
  Service,
  Deployment,
  Rollout,
  AnalysisTemplate,
  Job,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  Ingress,
  NetworkPolicy,
  ExternalSecret,
  ServiceMonitor,
  PrometheusRule,
]) {
  MODELS[`${model.apiVersion}/${model.kind}`] = model as unknown as Validator;
}

const { objects } = renderAll();

describe('rendered manifests match their schemas', () => {
  it('renders objects for every environment', () => {
    expect(new Set(objects.map((o) => o.env.name)).size).toBeGreaterThanOrEqual(2);
  });

  it.each(rowsOf(objects, 'objects').map((o) => [id(o), o] as const))('%s', (_name, o) => {
    const Model = MODELS[`${o.object.apiVersion}/${o.object.kind}`];
    expect(
      Model,
      `no schema registered for ${o.object.apiVersion} ${o.object.kind}; add its model here`,
    ).toBeDefined();
    if (!Model) return;
    expect(() => new Model(o.object as never).validate()).not.toThrow();
  });

  it.each([
    ['Deployment', Deployment],
    ['Rollout', Rollout],
  ] as const)('rejects a %s that breaks its schema (the validators are live)', (kind, Model) => {
    // A render with every environment on canary delivery has no Deployment: build one from the
    // Rollout's pod template, so the core validator stays proven too.
    const source =
      objects.find((o) => o.object.kind === kind) ?? objects.find((o) => o.object.kind === 'Rollout');
    expect(source).toBeDefined();
    const broken = structuredClone(source?.object) as {
      apiVersion: string;
      kind: string;
      spec: { strategy?: unknown; template: { spec: { containers: unknown } } };
    };
    broken.apiVersion = Model.apiVersion;
    broken.kind = Model.kind;
    if (kind === 'Deployment') broken.spec.strategy = { type: 'RollingUpdate' };
    expect(() => new Model(structuredClone(broken) as never).validate()).not.toThrow();
    broken.spec.template.spec.containers = 'not-a-list';
    expect(() => new Model(broken as never).validate()).toThrow();
  });

  it('rejects an AnalysisTemplate metric without a provider', () => {
    const template = objects.find((o) => o.object.kind === 'AnalysisTemplate');
    expect(template).toBeDefined();
    const broken = structuredClone(template?.object) as { spec: { metrics: { provider?: unknown }[] } };
    expect(() => new AnalysisTemplate(structuredClone(broken) as never).validate()).not.toThrow();
    delete broken.spec.metrics[0]?.provider;
    expect(() => new AnalysisTemplate(broken as never).validate()).toThrow();
  });
});
