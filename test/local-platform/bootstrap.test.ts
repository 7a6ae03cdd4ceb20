import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_SYNC_WAVE, GITOPS_ROOT } from '../../argocd/applications.js';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import { GITOPS } from '../../platform/config/workloads.js';
import {
  applicationStatuses,
  formatStatuses,
  OFFLINE_APPLICATIONS,
} from '../../scripts/local/bootstrap-status.js';
import { readState } from '../../scripts/local/state.js';
import { bankApplication, deploymentImages, kubectlJson, platformEnv } from './support/platform.js';

// The app-of-apps as a real Argo CD (built from source, running against the local control plane)
// syncs it from the manifests branch `local:up` published: root -> AppProjects (wave -1) ->
// platform Applications (wave 0) -> the environment's workloads (wave 1).

const env = platformEnv();

interface LiveApp {
  metadata: { name: string; creationTimestamp: string; annotations?: Record<string, string> };
  spec: { project: string; source?: { repoURL?: string } };
  status?: {
    sync?: { status?: string };
    health?: { status?: string };
    conditions?: { type: string; message: string }[];
    resources?: {
      kind: string;
      name: string;
      namespace?: string;
      hook?: boolean;
      status?: string;
      health?: { status?: string };
    }[];
  };
}

const apps = () =>
  kubectlJson<{ items: LiveApp[] }>(['get', 'applications.argoproj.io', '-n', ARGOCD_NAMESPACE]).items;

describe(`bootstrap of ${env.name} by Argo CD`, () => {
  it('prints what Argo CD reports for every Application', () => {
    console.log(`Applications in ${env.name}:\n${formatStatuses(applicationStatuses())}`);
    expect(apps().length).toBeGreaterThanOrEqual(3);
  });

  it('the root Application is Synced and Healthy and created the AppProjects of wave -1', () => {
    const root = apps().find((a) => a.metadata.name === GITOPS_ROOT.application);
    expect(root?.status?.sync?.status).toBe('Synced');
    expect(root?.status?.health?.status).toBe('Healthy');
    const projects = kubectlJson<{ items: { metadata: { name: string } }[] }>([
      'get',
      'appprojects.argoproj.io',
      '-n',
      ARGOCD_NAMESPACE,
    ]).items.map((p) => p.metadata.name);
    // Argo CD's server adds its own `default` project; nothing of ours uses it.
    expect(projects.sort()).toEqual([...Object.values(GITOPS.projects), 'default'].sort());
    // Every object the root manages is in sync: no normalization difference keeps it OutOfSync.
    for (const r of root?.status?.resources ?? [])
      expect(`${r.kind}/${r.name}: ${r.status}`).toBe(`${r.kind}/${r.name}: Synced`);
  });

  it(`the workloads Application (wave ${BOOTSTRAP_SYNC_WAVE.workloads}) is Synced and Healthy, every resource too`, () => {
    const bank = apps().find((a) => a.metadata.name === bankApplication(env));
    expect(bank?.spec.project).toBe(GITOPS.projects.bank);
    expect(bank?.status?.conditions ?? []).toEqual([]);
    expect(bank?.status?.sync?.status).toBe('Synced');
    expect(bank?.status?.health?.status).toBe('Healthy');
    const resources = bank?.status?.resources ?? [];
    expect(resources.map((r) => r.kind)).toEqual(
      expect.arrayContaining([
        'Namespace',
        env.bankApi.delivery.kind === 'canary' ? 'Rollout' : 'Deployment',
        'NetworkPolicy',
      ]),
    );
    for (const r of resources) {
      if (r.hook) {
        // A sync hook (the migration Job) has no sync status of its own; it must have run to completion.
        const job = kubectlJson<{ status: { conditions?: { type: string; status: string }[] } }>([
          'get',
          'job',
          r.name,
          '-n',
          r.namespace ?? '',
        ]);
        expect(job.status.conditions ?? [], `${r.kind}/${r.name}`).toContainEqual(
          expect.objectContaining({ type: 'Complete', status: 'True' }),
        );
        continue;
      }
      expect(`${r.kind}/${r.name}: ${r.status}`).toBe(`${r.kind}/${r.name}: Synced`);
      if (r.health?.status)
        expect(`${r.kind}/${r.name}: ${r.health.status}`).toBe(`${r.kind}/${r.name}: Healthy`);
    }
  });

  it('deploys the image the manifests branch names', () => {
    const state = readState();
    expect(deploymentImages('bank', 'bank-api')).toEqual([state?.image]);
  });

  it('orders the waves: AppProjects, then the platform Applications, then the workloads', () => {
    const byName = new Map(apps().map((a) => [a.metadata.name, a]));
    const created = (name: string) => Date.parse(byName.get(name)?.metadata.creationTimestamp ?? 'x');
    const projectsCreated = Math.max(
      ...kubectlJson<{ items: { metadata: { creationTimestamp: string } }[] }>([
        'get',
        'appprojects.argoproj.io',
        '-n',
        ARGOCD_NAMESPACE,
      ]).items.map((p) => Date.parse(p.metadata.creationTimestamp)),
    );
    for (const name of OFFLINE_APPLICATIONS) expect(created(name)).toBeGreaterThanOrEqual(projectsCreated);
    for (const name of OFFLINE_APPLICATIONS)
      expect(created(bankApplication(env))).toBeGreaterThanOrEqual(created(name));
  });

  it('reports the Applications whose Helm charts cannot be fetched offline, as not synced', () => {
    // kube-prometheus-stack's and the trace collector's chart repositories are on the internet; Argo
    // CD says so and syncs nothing.
    for (const name of OFFLINE_APPLICATIONS) {
      const app = apps().find((a) => a.metadata.name === name);
      expect(app, name).toBeDefined();
      const messages = (app?.status?.conditions ?? []).map((c) => `${c.type}: ${c.message}`);
      console.log(
        `${name} (offline chart, documented): sync ${app?.status?.sync?.status}, health ${app?.status?.health?.status}\n  ${messages.join('\n  ')}`,
      );
      expect(app?.status?.sync?.status).not.toBe('Synced');
      // The reason must be the unreachable chart repository, not a local defect (e.g. no helm binary).
      // Its own chart repository, as the Application names it.
      const host = new URL(app?.spec.source?.repoURL ?? 'missing:').host;
      expect(host).not.toBe('');
      expect(messages.join('\n')).toContain('ComparisonError: ');
      expect(messages.join('\n')).toContain(host);
      expect(messages.join('\n')).not.toMatch(/executable file not found/);
    }
  });
});
