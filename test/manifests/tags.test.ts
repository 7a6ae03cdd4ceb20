import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ofKind, parseManifests, renderAll, rowsOf } from './rendered.js';

// One AWS tag schema. The ALB and its target groups (tagged by the AWS Load Balancer
// Controller from the Ingress annotation) carry the keys every CDK resource carries
// (platform/test/dev.test.ts checks the templates against the same list), written out here.

const TAG_KEYS = ['CostCenter', 'DataClassification', 'Environment', 'Owner', 'Project', 'Service'];
const repoRoot = join(import.meta.dirname, '..', '..');

/** The annotation's `key=value,...` as a record. */
function albTags(annotation: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (annotation ?? '').split(',').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

const { objects } = renderAll();
const ingresses = ofKind(objects, 'Ingress');

describe('the ALB carries the cost-allocation tags of every CDK resource', () => {
  it.each(rowsOf(ingresses, 'Ingresses').map((o) => [o.env.name, o] as const))('%s: rendered', (_name, o) => {
    const tags = albTags(o.object.metadata.annotations?.['alb.ingress.kubernetes.io/tags']);
    expect(Object.keys(tags).sort()).toEqual(TAG_KEYS);
    expect(tags).toEqual({
      Environment: o.env.name,
      Project: o.env.tags.project,
      CostCenter: o.env.tags.costCenter,
      Owner: o.env.tags.owner,
      DataClassification: o.env.tags.dataClassification,
      // bank-api's ALB counts against bank-api's budget (docs/platform/cost.md).
      Service: 'bank-api',
    });
  });

  it.each(rowsOf(ingresses, 'Ingresses').map((o) => [o.env.name, o] as const))(
    '%s: committed under manifests/',
    (name, o) => {
      const committed = parseManifests(
        readFileSync(join(repoRoot, 'manifests', name, o.file), 'utf8'),
      ).filter((c) => c.kind === 'Ingress');
      expect(committed).toHaveLength(1);
      const tags = albTags(committed[0]?.metadata.annotations?.['alb.ingress.kubernetes.io/tags']);
      expect(Object.keys(tags).sort()).toEqual(TAG_KEYS);
      expect(tags.Environment).toBe(name);
    },
  );
});
