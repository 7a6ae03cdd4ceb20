import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironments } from '../../platform/config/index.js';
import { isLoopback, listenersOfBinaries } from './support/listeners.js';
import { loadEnvironment, renderedEnvironments } from './support/manifests.js';
import { K8S_BIN_DIR, REPO_ROOT } from './support/paths.js';
import { kubectl, kubectlJson } from './support/run.js';

const pinnedKubernetes = (() => {
  const goMod = readFileSync(join(REPO_ROOT, 'test/cluster/tools/go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/m.exec(goMod)?.[1];
  if (!version) throw new Error('test/cluster/tools/go.mod does not require k8s.io/kubernetes');
  return version;
})();

describe('local control plane', () => {
  it('runs the pinned Kubernetes release, the minor EKS runs', async () => {
    const version = await kubectlJson<{
      serverVersion: { gitVersion: string; major: string; minor: string };
    }>(['version']);
    expect(version.serverVersion.gitVersion).toBe(pinnedKubernetes);
    const minors = new Set(loadEnvironments().map((env) => env.kubernetesVersion));
    for (const minor of minors) {
      expect(
        `${version.serverVersion.major}.${version.serverVersion.minor}`,
        'platform kubernetesVersion',
      ).toBe(minor);
    }
  });

  it('listens on loopback only', () => {
    const listeners = listenersOfBinaries(K8S_BIN_DIR);
    const programs = new Set(listeners.map((l) => l.program));
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      expect(programs, `a listening ${component}`).toContain(component);
    }
    const exposed = listeners
      .filter((l) => !isLoopback(l.address))
      .map((l) => `${l.program} ${l.address}:${l.port}`);
    expect(exposed).toEqual([]);
  });

  it('has three zones of ready simulated nodes', async () => {
    const nodes = await kubectlJson<{
      items: {
        metadata: { labels: Record<string, string> };
        status: { conditions: { type: string; status: string }[] };
      }[];
    }>(['get', 'nodes']);
    const ready = nodes.items.filter((n) =>
      n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    expect(ready).toHaveLength(nodes.items.length);
    expect(new Set(ready.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).size).toBe(3);
  });

  it('serves every kind the rendered manifests use', async () => {
    const envs = renderedEnvironments();
    expect(envs, 'rendered environments under manifests/').not.toHaveLength(0);
    const served = new Set<string>();
    // Columns: NAME [SHORTNAMES] APIVERSION NAMESPACED KIND; SHORTNAMES may be empty, so read from the end.
    const { stdout } = await kubectl(['api-resources', '--no-headers', '--verbs=create']);
    for (const line of stdout.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      const kind = fields[fields.length - 1] as string;
      const apiVersion = fields[fields.length - 3] as string;
      served.add(`${apiVersion}/${kind}`);
    }
    const missing = new Set<string>();
    for (const env of envs) {
      for (const object of loadEnvironment(env)) {
        if (!served.has(`${object.apiVersion}/${object.kind}`))
          missing.add(`${object.apiVersion}/${object.kind} (${object.source})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
