import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment, type RenderedObject } from './support/manifests.js';
import { kubectl, kubectlJson } from './support/run.js';
import { ensureDemoEnvironment } from './support/workloads.js';

const POD_OWNERS = new Set(['Deployment', 'Rollout', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

/** A bare Pod built from a workload's template: what the controller would ask the API server to admit. */
function podFromTemplate(workload: RenderedObject): Record<string, unknown> {
  const template = (
    workload.spec as { template: { metadata?: Record<string, unknown>; spec: Record<string, unknown> } }
  ).template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...template.metadata,
      name: `${workload.metadata.name}-admission-check`,
      namespace: workload.metadata.namespace,
    },
    spec: template.spec,
  };
}

describe('Pod Security "restricted"', () => {
  let env: string;
  let workloads: RenderedObject[];
  let workloadNamespaces: string[];

  beforeAll(async () => {
    ({ env } = await ensureDemoEnvironment());
    workloads = loadEnvironment(env).filter((o) => POD_OWNERS.has(o.kind));
    workloadNamespaces = [...new Set(workloads.map((w) => w.metadata.namespace ?? 'default'))].sort();
  });

  it('is enforced on every namespace that runs our pods', async () => {
    expect(workloadNamespaces).not.toHaveLength(0);
    for (const namespace of workloadNamespaces) {
      const live = await kubectlJson<{ metadata: { labels?: Record<string, string> } }>([
        'get',
        'namespace',
        namespace,
      ]);
      expect(live.metadata.labels?.['pod-security.kubernetes.io/enforce'], namespace).toBe('restricted');
    }
  });

  it('admits every pod template we render, without a warning', async () => {
    expect(workloads).not.toHaveLength(0);
    for (const workload of workloads) {
      const result = await kubectl(['create', '--dry-run=server', '-f', '-', '-o', 'name'], {
        input: JSON.stringify(podFromTemplate(workload)),
        allowFailure: true,
      });
      const label = `${workload.kind} ${workload.metadata.namespace}/${workload.metadata.name}`;
      expect(result.stderr, label).toBe('');
      expect(result.code, label).toBe(0);
    }
  });

  it('let the controllers create every pod (no FailedCreate events)', async () => {
    for (const namespace of workloadNamespaces) {
      const events = await kubectlJson<{ items: { reason: string; message: string }[] }>([
        'get',
        'events',
        '-n',
        namespace,
        '--field-selector',
        'reason=FailedCreate',
      ]);
      expect(events.items.map((e) => e.message)).toEqual([]);
      const pods = await kubectlJson<{ items: unknown[] }>(['get', 'pods', '-n', namespace]);
      expect(pods.items.length, `pods in ${namespace}`).toBeGreaterThan(0);
    }
  });

  it('rejects a privileged pod (enforcement is really on)', async () => {
    for (const namespace of workloadNamespaces) {
      const privileged = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'privileged-probe', namespace },
        spec: {
          containers: [{ name: 'shell', image: 'busybox:1.36', securityContext: { privileged: true } }],
        },
      };
      const result = await kubectl(['create', '--dry-run=server', '-f', '-'], {
        input: JSON.stringify(privileged),
        allowFailure: true,
      });
      expect(result.code, namespace).not.toBe(0);
      expect(result.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);
    }
  });
});
