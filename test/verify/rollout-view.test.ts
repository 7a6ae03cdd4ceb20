import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { deploymentView } from '../../scripts/verify/rollout-view.js';

// kube-score scores each Rollout as the Deployment it replaces: same pod template, the HPA aimed at
// it, and the ALB Ingress routed to the stable Service.

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped.
type Any = any;

const repoRoot = join(import.meta.dirname, '..', '..');
const docs = (text: string): Any[] => parseAllDocuments(text).map((d) => d.toJS());

describe('the Deployment view of a rendered Rollout', () => {
  const source = readFileSync(join(repoRoot, 'manifests/prod/bank-api.k8s.yaml'), 'utf8');
  const before = docs(source);
  const after = docs(deploymentView(source) ?? '');

  it('keeps every object, with the Rollout as a Deployment of the same pod template', () => {
    expect(after).toHaveLength(before.length);
    const rollout = before.find((d) => d.kind === 'Rollout');
    const deployment = after.find((d) => d.kind === 'Deployment');
    expect(after.some((d) => d.kind === 'Rollout')).toBe(false);
    expect(deployment.metadata).toEqual(rollout.metadata);
    expect(deployment.spec.template).toEqual(rollout.spec.template);
    expect(deployment.spec.strategy.rollingUpdate.maxSurge).toBe(rollout.spec.strategy.canary.maxSurge);
    expect(after.find((d) => d.kind === 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'bank-api',
    });
  });

  it('routes the use-annotation Ingress backend to the stable Service at the ALB service port', () => {
    const backend = after.find((d) => d.kind === 'Ingress').spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: 'bank-api-stable', port: { number: 8080 } });
  });

  it('leaves a file without a Rollout alone', () => {
    expect(
      deploymentView(readFileSync(join(repoRoot, 'manifests/prod/namespaces.k8s.yaml'), 'utf8')),
    ).toBeUndefined();
  });
});
