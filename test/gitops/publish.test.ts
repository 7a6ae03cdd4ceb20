import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workloadsPath } from '../../charts/argocd/layout.js';
import { type EnvironmentConfig, loadEnvironment } from '../../platform/config/index.js';
import { publishManifests } from '../../scripts/manifests/publish.js';
import { bareRemote, GIT_ENV, type Scratch, scratchDir, sh, sourceRepo } from './git-fixtures.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const TSX = join(repoRoot, 'node_modules', '.bin', 'tsx');
const CLI = join(repoRoot, 'scripts', 'manifests', 'publish-cli.ts');

const dev = loadEnvironment('dev');
const prod = loadEnvironment('prod');
const image = (env: EnvironmentConfig, hex: string) =>
  `${env.bankApi.imageRepository}@sha256:${hex.repeat(64)}`;

/** Everything observable about the caller's checkout that the publisher must leave alone. */
function checkoutState(dir: string) {
  return {
    head: sh(dir, 'rev-parse', 'HEAD'),
    symbolic: sh(dir, 'rev-parse', '--abbrev-ref', 'HEAD'),
    status: sh(dir, 'status', '--porcelain', '--untracked-files=all'),
    index: readFileSync(join(dir, '.git', 'index')).toString('base64'),
    files: sh(dir, 'ls-files'),
  };
}

function cli(cwd: string, ...args: string[]) {
  const result = spawnSync(TSX, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_ENV },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let scratch: Scratch;
let repo: string;
beforeEach(() => {
  scratch = scratchDir('publish-test-');
  repo = join(scratch.dir, 'source');
  mkdirSync(repo);
  sourceRepo(repo);
});
afterEach(() => scratch.cleanup());

describe('manifests:publish into a local repository', () => {
  it('creates the branch on the first publish, without touching the working tree, index or HEAD', () => {
    // The caller has unrelated work in progress: a staged edit and an untracked file.
    writeFileSync(join(repo, 'README.md'), '# source\nstaged edit\n');
    sh(repo, 'add', 'README.md');
    writeFileSync(join(repo, 'notes.txt'), 'untracked\n');
    const before = checkoutState(repo);

    const result = publishManifests({ repo, env: dev, image: image(dev, 'a') });

    expect(result.changed).toBe(true);
    expect(result.parent).toBeUndefined();
    expect(sh(repo, 'rev-parse', 'refs/heads/manifests')).toBe(result.commit);
    expect(sh(repo, 'ls-tree', '-r', '--name-only', 'manifests').split('\n')).toEqual([
      'manifests/argocd/dev/argocd.k8s.yaml',
      'manifests/dev/bank-api.k8s.yaml',
      'manifests/dev/namespaces.k8s.yaml',
    ]);
    expect(sh(repo, 'show', 'manifests:manifests/dev/bank-api.k8s.yaml')).toContain(
      `image: ${image(dev, 'a')}`,
    );
    expect(sh(repo, 'log', '-1', '--format=%B', 'manifests')).toContain(`Rendered from ${before.head}`);
    expect(checkoutState(repo)).toEqual(before);
    expect(result.stat).toMatch(/3 files changed/);
  });

  it('makes no commit when an identical render is published again', () => {
    const first = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    const second = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    expect(second.changed).toBe(false);
    expect(second.commit).toBeUndefined();
    expect(sh(repo, 'rev-parse', 'manifests')).toBe(first.commit);
    expect(sh(repo, 'rev-list', '--count', 'manifests')).toBe('1');
  });

  it('makes exactly one commit for an image change, whose diff is only the image', () => {
    const first = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    const second = publishManifests({ repo, env: dev, image: image(dev, 'b') });
    expect(second.parent).toBe(first.commit);
    expect(sh(repo, 'rev-list', '--count', 'manifests')).toBe('2');
    expect(second.files).toEqual(['M\tmanifests/dev/bank-api.k8s.yaml']);
    const changed = sh(repo, 'diff', '-U0', `${first.commit}`, `${second.commit}`)
      .split('\n')
      .filter((line) => /^[-+](?![-+])/.test(line));
    // The Deployment and the migration Job, old and new.
    expect(changed).toHaveLength(4);
    for (const line of changed) expect(line).toMatch(/^[-+]\s+image: \S+@sha256:(a{64}|b{64})$/);
  });

  it('replaces only its own environment: publishing prod keeps dev', () => {
    publishManifests({ repo, env: dev, image: image(dev, 'a') });
    publishManifests({ repo, env: prod, image: image(prod, 'c') });
    const files = sh(repo, 'ls-tree', '-r', '--name-only', 'manifests').split('\n');
    expect(files.filter((f) => f.startsWith(`${workloadsPath(dev)}/`))).toHaveLength(2);
    expect(files.filter((f) => f.startsWith(`${workloadsPath(prod)}/`))).toHaveLength(2);
    expect(files).toContain('manifests/argocd/prod/argocd.k8s.yaml');
  });

  it('removes files of its folders that the render no longer produces', () => {
    const first = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    // A leftover from an older render, committed to the branch by hand.
    const wt = join(scratch.dir, 'wt');
    sh(repo, 'worktree', 'add', '-q', wt, 'manifests');
    writeFileSync(join(wt, 'manifests', 'dev', 'old.k8s.yaml'), 'kind: ConfigMap\n');
    sh(wt, 'add', '.');
    sh(wt, 'commit', '-q', '-m', 'stray file');
    sh(repo, 'worktree', 'remove', wt);
    const result = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    expect(result.files).toEqual(['D\tmanifests/dev/old.k8s.yaml']);
    expect(sh(repo, 'rev-parse', `manifests^{tree}`)).toBe(sh(repo, 'rev-parse', `${first.commit}^{tree}`));
  });

  it('works from a detached HEAD and names that commit as the source', () => {
    const head = sh(repo, 'rev-parse', 'HEAD');
    sh(repo, 'checkout', '-q', '--detach', head);
    const result = publishManifests({ repo, env: dev, image: image(dev, 'a') });
    expect(result.source).toBe(head);
    expect(sh(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
  });
});

describe('manifests:publish refuses what it cannot handle, changing nothing', () => {
  it('refuses uncommitted changes to the rendering inputs unless --allow-dirty', () => {
    mkdirSync(join(repo, 'charts'));
    writeFileSync(join(repo, 'charts', 'new-chart.ts'), 'export {};\n');
    expect(() => publishManifests({ repo, env: dev, image: image(dev, 'a') })).toThrow(
      /uncommitted changes[\s\S]*charts\/new-chart\.ts[\s\S]*--allow-dirty/,
    );
    expect(sh(repo, 'branch', '--list', 'manifests')).toBe('');
    expect(publishManifests({ repo, env: dev, image: image(dev, 'a'), allowDirty: true }).changed).toBe(true);
  });

  it('refuses to move a branch that a working tree has checked out', () => {
    publishManifests({ repo, env: dev, image: image(dev, 'a') });
    const tip = sh(repo, 'rev-parse', 'manifests');
    sh(repo, 'checkout', '-q', 'manifests');
    expect(() => publishManifests({ repo, env: dev, image: image(dev, 'b') })).toThrow(
      /branch 'manifests' is checked out in .*switch that checkout/,
    );
    expect(sh(repo, 'rev-parse', 'manifests')).toBe(tip);
  });

  it('refuses a repository without commits and a directory outside Git', () => {
    const empty = join(scratch.dir, 'empty');
    mkdirSync(empty);
    sh(empty, 'init', '-q');
    expect(() => publishManifests({ repo: empty, env: dev, image: image(dev, 'a') })).toThrow(
      /has no commit yet/,
    );
    const plain = join(scratch.dir, 'plain');
    mkdirSync(plain);
    expect(() => publishManifests({ repo: plain, env: dev, image: image(dev, 'a') })).toThrow(
      /not inside a Git working tree/,
    );
  });

  it('exits non-zero with a message and the usage for bad arguments', () => {
    const cases: [string[], RegExp][] = [
      [['--image', image(dev, 'a')], /--env is required/],
      [['--env', 'dev'], /--image is required/],
      [['--env', 'staging', '--image', image(dev, 'a')], /unknown environment; known: dev, prod/],
      [['--env', 'dev', '--image', `${dev.bankApi.imageRepository}:1.2.3`], /must be pinned by digest/],
      [['--env', 'dev', '--image', `${dev.bankApi.imageRepository}@sha256:abc`], /sha256:<64 hex digits>/],
      [['--env', 'dev', '--image', image(prod, 'a')], /is not dev's \(dev\.bankApi\.imageRepository/],
      [['--env', 'dev', '--image', image(dev, 'a'), '--branch', 'bad..name'], /not a valid Git branch name/],
      [['--env', 'dev', '--image', image(dev, 'a'), '--colour'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const run = cli(repo, ...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('usage: npm run manifests:publish');
    }
    expect(sh(repo, 'branch', '--list', 'manifests')).toBe('');
  });

  it('the CLI prints the diff summary and exits 0 when nothing changed', () => {
    const first = cli(repo, '--env', 'dev', '--image', image(dev, 'a'));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/committed [0-9a-f]{40} on 'manifests'/);
    expect(first.stdout).toContain('A\tmanifests/dev/bank-api.k8s.yaml');
    expect(first.stdout).toMatch(/3 files changed, \d+ insertions/);
    const again = cli(repo, '--env', 'dev', '--image', image(dev, 'a'));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to commit');
  });
});

describe('manifests:publish --push against a remote', () => {
  let remote: string;
  beforeEach(() => {
    remote = bareRemote(join(scratch.dir, 'remote.git'));
    sh(repo, 'remote', 'add', 'origin', remote);
    sh(repo, 'push', '-q', 'origin', 'main');
  });

  it('pushes the branch, builds on the remote tip from another clone, and opens PR branches from it', () => {
    const first = publishManifests({ repo, env: dev, image: image(dev, 'a'), push: true });
    expect(sh(remote, 'rev-parse', 'manifests')).toBe(first.commit);

    // A second clone (another CI run) has no local manifests branch: it builds on the remote's.
    const other = join(scratch.dir, 'other');
    sh(scratch.dir, 'clone', '-q', remote, other);
    const second = publishManifests({ repo: other, env: dev, image: image(dev, 'b'), push: true });
    expect(second.parent).toBe(first.commit);
    expect(sh(remote, 'rev-parse', 'manifests')).toBe(second.commit);

    // prod goes through a pull request: a new branch starting at the manifests branch.
    const pr = publishManifests({
      repo: other,
      env: prod,
      image: image(prod, 'c'),
      push: true,
      branch: 'deploy/prod/abc',
      base: 'manifests',
    });
    expect(pr.parent).toBe(second.commit);
    expect(sh(remote, 'rev-parse', 'deploy/prod/abc')).toBe(pr.commit);
    expect(sh(remote, 'rev-parse', 'manifests')).toBe(second.commit);
    expect(pr.files.every((f) => /manifests\/(argocd\/)?prod\//.test(f))).toBe(true);
  });

  it('leaves both the local and the remote branch as they were when the push is rejected', () => {
    const first = publishManifests({ repo, env: dev, image: image(dev, 'a'), push: true });
    const hook = join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "branch protected" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    expect(() => publishManifests({ repo, env: dev, image: image(dev, 'b'), push: true })).toThrow(
      /git push .* failed[\s\S]*branch protected/,
    );
    expect(sh(repo, 'rev-parse', 'manifests')).toBe(first.commit);
    expect(sh(remote, 'rev-parse', 'manifests')).toBe(first.commit);
  });

  it('refuses a --base the remote does not have', () => {
    expect(() =>
      publishManifests({
        repo,
        env: prod,
        image: image(prod, 'c'),
        push: true,
        branch: 'deploy/x',
        base: 'nope',
      }),
    ).toThrow(/--base 'nope' does not exist on origin/);
    expect(sh(remote, 'branch', '--list', 'deploy/x')).toBe('');
  });
});
