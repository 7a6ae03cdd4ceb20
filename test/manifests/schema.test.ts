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

  it('rejects an object that breaks its schema (the validators are live)', () => {
    const deployment = objects.find((o) => o.object.kind === 'Deployment');
    expect(deployment).toBeDefined();
    const broken = structuredClone(deployment?.object) as {
      spec: { template: { spec: { containers: unknown } } };
    };
    broken.spec.template.spec.containers = 'not-a-list';
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });
});
