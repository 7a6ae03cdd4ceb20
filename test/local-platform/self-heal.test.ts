import { describe, expect, it } from 'vitest';
import { bankApplication, kubectl, kubectlJson, platformEnv, waitFor } from './support/platform.js';

// Drift undone by Argo CD itself (automated sync with selfHeal): a hand edit of a managed field and a
// deleted object both come back as the manifests branch says, without anyone running a sync.

const env = platformEnv();
const HEAL_TIMEOUT_MS = 180_000;

interface Hpa {
  spec: { minReplicas: number };
}

describe(`self-heal in ${env.name}`, () => {
  it('reverts a hand-raised autoscaler minimum (the 3 a.m. edit)', async () => {
    const hpa = kubectlJson<Hpa>(['get', 'horizontalpodautoscaler', 'bank-api', '-n', 'bank']);
    const wanted = hpa.spec.minReplicas;
    kubectl([
      'patch',
      'horizontalpodautoscaler',
      'bank-api',
      '-n',
      'bank',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { minReplicas: wanted + 2 } }),
    ]);
    const { seconds } = await waitFor(
      `minReplicas back at ${wanted}`,
      () =>
        kubectlJson<Hpa>(['get', 'horizontalpodautoscaler', 'bank-api', '-n', 'bank']).spec.minReplicas ===
        wanted,
      HEAL_TIMEOUT_MS,
    );
    console.log(`self-heal: hand edit reverted by Argo CD in ${seconds.toFixed(1)}s`);
  });

  it('recreates a deleted NetworkPolicy', async () => {
    const policies = kubectlJson<{ items: { metadata: { name: string; uid: string } }[] }>([
      'get',
      'networkpolicies',
      '-n',
      'bank',
    ]).items;
    const victim = policies[0];
    expect(victim, 'the bank namespace has NetworkPolicies').toBeDefined();
    if (!victim) return;
    kubectl(['delete', 'networkpolicy', victim.metadata.name, '-n', 'bank', '--wait=true']);
    const { seconds } = await waitFor(
      `NetworkPolicy ${victim.metadata.name} recreated`,
      () => {
        const again = kubectlJson<{ items: { metadata: { name: string; uid: string } }[] }>([
          'get',
          'networkpolicies',
          '-n',
          'bank',
        ]).items;
        return again.some(
          (p) => p.metadata.name === victim.metadata.name && p.metadata.uid !== victim.metadata.uid,
        );
      },
      HEAL_TIMEOUT_MS,
    );
    console.log(`self-heal: deleted NetworkPolicy recreated by Argo CD in ${seconds.toFixed(1)}s`);
  });

  it('leaves the Application Synced and Healthy', async () => {
    await waitFor(
      `${bankApplication(env)} Synced and Healthy`,
      () => {
        const app = kubectlJson<{ status?: { sync?: { status?: string }; health?: { status?: string } } }>([
          'get',
          'applications.argoproj.io',
          bankApplication(env),
          '-n',
          'argocd',
        ]);
        return app.status?.sync?.status === 'Synced' && app.status.health?.status === 'Healthy';
      },
      HEAL_TIMEOUT_MS,
    );
  });
});
