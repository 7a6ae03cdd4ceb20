import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlJson } from './support/run.js';
import {
  type DeploymentUnderTest,
  ensureDemoEnvironment,
  isReady,
  nodeZones,
  podsOf,
} from './support/workloads.js';

describe('workloads on the simulated nodes', () => {
  let deployments: DeploymentUnderTest[];

  beforeAll(async () => {
    ({ deployments } = await ensureDemoEnvironment());
  });

  it('has Deployments to run', () => {
    expect(deployments).not.toHaveLength(0);
  });

  it('brings every Deployment and Rollout to Available at its autoscaler minimum', async () => {
    for (const d of deployments) {
      const live = await kubectlJson<{
        spec: { replicas: number };
        status: { conditions: { type: string; status: string }[]; readyReplicas?: number };
      }>(['get', d.resource, d.name, '-n', d.namespace]);
      expect(live.status.conditions.find((c) => c.type === 'Available')?.status, d.name).toBe('True');
      expect(live.spec.replicas).toBeGreaterThanOrEqual(d.minReplicas);
      expect(live.status.readyReplicas).toBe(live.spec.replicas);
    }
  });

  it('spreads replicas over the three zones within the zone constraint', async () => {
    const zones = await nodeZones();
    const allZones = [...new Set(zones.values())];
    for (const d of deployments.filter((x) => x.zoneMaxSkew !== undefined)) {
      const pods = (await podsOf(d)).filter(isReady);
      const perZone = new Map(allZones.map((z) => [z, 0]));
      for (const pod of pods) {
        const zone = zones.get(pod.spec.nodeName ?? '') ?? '';
        perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      }
      const counts = [...perZone.values()];
      expect(
        Math.max(...counts) - Math.min(...counts),
        `${d.name} per zone ${JSON.stringify([...perZone])}`,
      ).toBeLessThanOrEqual(d.zoneMaxSkew as number);
      expect(counts.filter((c) => c > 0).length).toBe(Math.min(pods.length, allZones.length));
    }
  });

  it('gives every Service ready endpoints for all replicas', async () => {
    for (const d of deployments) {
      for (const service of d.services) {
        const slices = await kubectlJson<{ items: { endpoints?: { conditions: { ready?: boolean } }[] }[] }>([
          'get',
          'endpointslices',
          '-n',
          d.namespace,
          '-l',
          `kubernetes.io/service-name=${service}`,
        ]);
        const ready = slices.items
          .flatMap((s) => s.endpoints ?? [])
          .filter((e) => e.conditions.ready === true);
        expect(ready.length, `${d.namespace}/${service}`).toBe((await podsOf(d)).filter(isReady).length);
        expect(ready.length).toBeGreaterThanOrEqual(d.minReplicas);
      }
    }
  });
});
