import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bootstrapPath, workloadsPath } from '../../argocd/layout.js';
import { GITOPS } from '../../platform/config/workloads.js';
import { readState } from '../../scripts/local/state.js';
import {
  application,
  bankApplication,
  deploymentImages,
  digestImage,
  git,
  kubectl,
  kubectlJson,
  platformEnv,
  publish,
  userClone,
  waitFor,
} from './support/platform.js';

// A deny sync window stops Argo CD's automated sync while it is open, and only then. The windows are
// part of the rendered AppProject, so the test changes them the GitOps way: commits to the manifests
// branch (a reviewed pull request in real life), with windows placed relative to now.

const env = platformEnv();
const clone = userClone();
const worktree = join(mkdtempSync(join(tmpdir(), 'gitops-window-')), 'manifests');
afterAll(() => {
  git(['worktree', 'remove', '--force', worktree], clone.dir);
  clone.remove();
});

type Window = {
  kind: string;
  schedule: string;
  duration: string;
  timeZone?: string;
  applications: string[];
  manualSync?: boolean;
};

/** Rewrites one YAML document (found by kind and name) of a file in the branch checkout. */
function editDocument<T>(path: string, kind: string, name: string, edit: (doc: T) => void): void {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const target = docs.find(
    (d) => d.get('kind') === kind && (d.getIn(['metadata', 'name']) as string) === name,
  );
  if (!target) throw new Error(`${kind}/${name} not in ${path}`);
  const json = target.toJS() as T;
  edit(json);
  target.contents = target.createNode(json) as typeof target.contents;
  writeFileSync(path, docs.map((d) => d.toString()).join(''));
}

function commitAndPush(message: string): string {
  git(['commit', '--quiet', '-am', message], worktree);
  git(['push', '--quiet', 'local', 'HEAD:refs/heads/manifests'], worktree);
  return git(['rev-parse', 'HEAD'], worktree);
}

function setBankWindows(windows: Window[]): void {
  const file = join(worktree, bootstrapPath(env), 'argocd.k8s.yaml');
  editDocument<{ spec: { syncWindows?: Window[] } }>(file, 'AppProject', GITOPS.projects.bank, (doc) => {
    doc.spec.syncWindows = windows;
  });
}

const liveWindows = () =>
  kubectlJson<{ spec: { syncWindows?: Window[] } }>([
    'get',
    'appprojects.argoproj.io',
    GITOPS.projects.bank,
    '-n',
    'argocd',
  ]).spec.syncWindows ?? [];

const deny = (schedule: string): Window => ({
  kind: 'deny',
  schedule,
  duration: '1h',
  timeZone: 'UTC',
  applications: ['*'],
  manualSync: true,
});

describe(`sync windows in ${env.name}`, () => {
  const image = digestImage(env, `window ${Date.now()}`);

  it('blocks the automated sync of a new image while a deny window is open', async () => {
    git(['fetch', '--quiet', 'local', 'manifests'], clone.dir);
    git(['worktree', 'add', '--quiet', '--detach', worktree, 'local/manifests'], clone.dir);
    // Open now: a window that starts every minute and lasts an hour.
    setBankWindows([deny('* * * * *')]);
    commitAndPush('test: deny window open now');
    await waitFor(
      'the open window on the live AppProject',
      () => liveWindows()[0]?.schedule === '* * * * *',
      180_000,
    );

    const file = join(worktree, workloadsPath(env), 'bank-api.k8s.yaml');
    editDocument<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
      file,
      env.bankApi.delivery.kind === 'canary' ? 'Rollout' : 'Deployment',
      'bank-api',
      (doc) => {
        for (const c of doc.spec.template.spec.containers) c.image = image;
      },
    );
    const revision = commitAndPush('test: new image while the window is open');
    await waitFor(
      `${bankApplication(env)} OutOfSync at ${revision}`,
      () => {
        const app = application(bankApplication(env));
        return app?.revision === revision && app.sync === 'OutOfSync';
      },
      180_000,
      () => JSON.stringify(application(bankApplication(env))),
    );
    // Argo CD would have synced within seconds (as the deploy test measures); give it 30.
    await new Promise((r) => setTimeout(r, 30_000));
    expect(application(bankApplication(env))?.sync).toBe('OutOfSync');
    expect(deploymentImages('bank', 'bank-api')).not.toContain(image);
  });

  it('lets the sync through once the window is closed', async () => {
    // Closed now: the same window placed twelve hours away.
    const hour = (new Date().getUTCHours() + 12) % 24;
    setBankWindows([deny(`0 ${hour} * * *`)]);
    const t0 = Date.now();
    commitAndPush('test: deny window moved away from now');
    await waitFor(
      'the closed window on the live AppProject',
      () => liveWindows()[0]?.schedule === `0 ${hour} * * *`,
      180_000,
    );
    // The controller retries a blocked auto-sync at its next reconciliation (timeout.reconciliation,
    // 180 s + jitter); an operator asks for it at once with `argocd app get --refresh`, which sets
    // this annotation. It requests a refresh only; the sync that follows is Argo CD's own decision.
    kubectl([
      'annotate',
      '--overwrite',
      'applications.argoproj.io',
      bankApplication(env),
      '-n',
      'argocd',
      'argocd.argoproj.io/refresh=normal',
    ]);
    const { seconds } = await waitFor(
      `${image} deployed after the window closed`,
      () =>
        deploymentImages('bank', 'bank-api').every((i) => i === image) &&
        application(bankApplication(env))?.sync === 'Synced',
      300_000,
      () => JSON.stringify(application(bankApplication(env))),
    );
    console.log(
      `sync window: closed -> new image running in ${seconds.toFixed(1)}s (${((Date.now() - t0) / 1000).toFixed(1)}s after the push)`,
    );
  });

  it('a publish restores the rendered windows', async () => {
    const previous = readState()?.image as string;
    const result = publish(clone.dir, env, previous);
    expect(result.code, result.stderr).toBe(0);
    await waitFor(
      'the rendered windows on the live AppProject',
      () => {
        const key = (w: Window) => `${w.kind} ${w.schedule} ${w.duration} ${w.timeZone}`;
        return (
          liveWindows().map(key).join('|') ===
          env.gitops.syncWindows.map((w) => key({ ...w, applications: ['*'] })).join('|')
        );
      },
      180_000,
      () => JSON.stringify(liveWindows()),
    );
  });
});
