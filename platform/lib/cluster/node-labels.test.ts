import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderEnvironment } from '../../../charts/render.js';
import { loadEnvironment, loadOrganisation } from '../../config/index.js';
import { karpenterAddOn, systemNodeGroup, workloadNodeGroup } from './autoscaling.js';

// The node labels (CDK) and the NetworkPolicy annotations (charts) share one key prefix,
// the organisation's domain, declared once in platform/config/environments.ts.

const env = loadEnvironment('dev');
const prefix = `${loadOrganisation().domain}/`;

describe('node pool labels', () => {
  it('the system and workload node groups and the Karpenter pool label nodes under the prefix', () => {
    expect(systemNodeGroup(env).labels).toEqual({ [`${prefix}node-pool`]: 'system' });
    expect(workloadNodeGroup(env).labels).toEqual({ [`${prefix}node-pool`]: 'workload' });
    const props = (karpenterAddOn(env) as unknown as { options: { nodePoolSpec: { labels: unknown } } })
      .options.nodePoolSpec;
    expect(props.labels).toEqual({ [`${prefix}node-pool`]: 'workload' });
  });

  it('use the prefix of the annotations the charts render', () => {
    const rendered = renderEnvironment(env).files.flatMap((f) =>
      parseAllDocuments(f.content).map(
        (d) => d.toJS() as { kind: string; metadata: { annotations?: Record<string, string> } },
      ),
    );
    const keys = rendered
      .filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((o) => Object.keys(o.metadata.annotations ?? {}))
      .filter((k) => !k.startsWith('argocd.argoproj.io/'));
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys)).toEqual(new Set([`${prefix}purpose`]));
  });
});
