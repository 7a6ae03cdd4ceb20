import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bootstrapPath, workloadsPath } from '../../argocd/layout.js';
import { type EnvironmentConfig, loadEnvironment } from '../../platform/config/index.js';
import { type PublishResult, PublishStateError, publishManifests } from '../../scripts/manifests/publish.js';
import { PublishInputError } from '../../scripts/manifests/render-tree.js';
import { underMutation } from '../mutation/modules.js';
import {
  bareRemote,
  cloneThisRepository,
  GIT_ENV,
  REPO_ROOT,
  type Scratch,
  scratchDir,
  sh,
} from './git-fixtures.js';

// manifests:publish as its users run it: in clones of this repository, whose committed manifests/
// folder (main's render, default image tag) differs from what the manifests branch holds (released
// digests). A deployment, a repeat, an upgrade and a rollback per environment, locally through the
// CLI and with --push to a bare remote, and the caller's checkout is never touched.

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'scripts', 'manifests', 'publish-cli.ts');

const dev = loadEnvironment('dev');
const prod = loadEnvironment('prod');
const ENVIRONMENTS = [dev, prod];

/** A bank-api image of `env`'s own ECR repository, pinned by digest (`hex` repeated to 64 digits). */
const image = (env: EnvironmentConfig, hex: string) =>
  `${env.bankApi.imageRepository}@sha256:${hex.repeat(64)}`;
/** A bank-web image of `env`'s own ECR repository, pinned by digest. */
const webImage = (env: EnvironmentConfig, hex: string) =>
  `${env.bankWeb.imageRepository}@sha256:${hex.repeat(64)}`;
/** What bank-web renders with when neither --web-image nor the branch names an image. */
const configuredWebImage = (env: EnvironmentConfig) =>
  `${env.bankWeb.imageRepository}:${env.bankWeb.imageTag}`;

/** The files one environment owns in the branch: its workloads and its Argo CD bootstrap. */
const ownFiles = (env: EnvironmentConfig) => [
  `${bootstrapPath(env)}/argocd.k8s.yaml`,
  `${workloadsPath(env)}/bank-api.k8s.yaml`,
  `${workloadsPath(env)}/bank-web.k8s.yaml`,
  `${workloadsPath(env)}/dashboards.k8s.yaml`,
  `${workloadsPath(env)}/namespaces.k8s.yaml`,
];
const folders = (env: EnvironmentConfig) => [workloadsPath(env), bootstrapPath(env)];

/** Everything observable about the caller's checkout that the publisher must leave alone. */
function checkoutState(dir: string) {
  // The index bytes first; status without optional locks, so it does not refresh that index itself.
  const index = readFileSync(join(dir, '.git', 'index')).toString('base64');
  return {
    head: sh(dir, 'rev-parse', 'HEAD'),
    symbolic: sh(dir, 'rev-parse', '--abbrev-ref', 'HEAD'),
    status: sh(dir, '--no-optional-locks', 'status', '--porcelain', '--untracked-files=all'),
    index,
  };
}

const tip = (dir: string, ref: string) => sh(dir, 'rev-parse', '--verify', '--quiet', ref);
const parents = (dir: string, commit: string) =>
  sh(dir, 'rev-list', '--parents', '-n1', commit).split(' ').slice(1);
const treeOf = (dir: string, rev: string, path?: string) =>
  sh(dir, 'rev-parse', path === undefined ? `${rev}^{tree}` : `${rev}:${path}`);
const branchFiles = (dir: string, rev: string, env: EnvironmentConfig) =>
  sh(dir, 'ls-tree', '-r', '--name-only', rev, '--', ...folders(env)).split('\n');

/** The kind that runs bank-api's pods in `env`: a Rollout when the environment releases it as a canary. */
const apiWorkloadKind = (env: EnvironmentConfig) =>
  env.bankApi.delivery.kind === 'canary' ? 'Rollout' : 'Deployment';

/** What `bankApiImages` finds when bank-api runs `image`: the workload and its migration Job. */
const apiImages = (env: EnvironmentConfig, image: string) => ({
  Job: [image],
  [apiWorkloadKind(env)]: [image],
});

/** The images of the pod templates (workload, migration Job) in `env`'s bank-api manifest at `rev`. */
function bankApiImages(
  dir: string,
  rev: string,
  env: EnvironmentConfig,
  file = 'bank-api.k8s.yaml',
): Record<string, string[]> {
  interface PodTemplated {
    kind?: string;
    spec?: {
      template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } };
    };
  }
  const found: Record<string, string[]> = {};
  const text = sh(dir, 'show', `${rev}:${workloadsPath(env)}/${file}`);
  for (const document of parseAllDocuments(text)) {
    const object = document.toJS() as PodTemplated | null;
    const pod = object?.spec?.template?.spec;
    if (!object?.kind || !pod) continue;
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    found[object.kind] = [...(found[object.kind] ?? []), ...containers.map((c) => c.image)];
  }
  return found;
}

/** The lines an upgrade changed between two commits, without the diff headers. */
const changedLines = (dir: string, from: string, to: string) =>
  sh(dir, 'diff', '-U0', from, to, '--')
    .split('\n')
    .filter((line) => /^[-+](?![-+])/.test(line));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run manifests:publish -- <args>` in `cwd` (the script that npm runs, without npm's own start-up). */
function cli(cwd: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, ...extraEnv };
  if (extraEnv.GITHUB_OUTPUT === undefined) delete env.GITHUB_OUTPUT; // never write to a CI run's outputs
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

it('the test images come from each environment’s own ECR repository, pinned by digest', () => {
  for (const env of ENVIRONMENTS) {
    expect(image(env, 'a')).toMatch(
      /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/bank-api@sha256:[0-9a-f]{64}$/,
    );
  }
  expect(dev.bankApi.imageRepository).not.toBe(prod.bankApi.imageRepository);
});

// Through a child process the CLI never sees a mutant: skipped under mutation testing (underMutation).
describe.skipIf(underMutation)('manifests:publish in a clone of this repository, through the CLI', () => {
  // The CLI spends seconds starting up, so these tests run concurrently, each in its own clone: two
  // publishes into one branch at once would (rightly) trip the compare-and-swap.
  let scratch: Scratch;
  const clones = new Map<string, string>();
  beforeAll(() => {
    scratch = scratchDir('publish-cli-test-');
    for (const name of [...ENVIRONMENTS.map((env) => env.name), 'bad-arguments']) {
      clones.set(name, cloneThisRepository(join(scratch.dir, `clone-${name}`)));
    }
  });
  afterAll(() => scratch.cleanup());

  for (const env of ENVIRONMENTS) {
    it.concurrent(`${env.name}: publish A+WA, A again (no commit), B, B+WB (one commit each), A+WA again (rollback to the first tree)`, async ({
      expect,
    }) => {
      const clone = clones.get(env.name) as string;
      const branch = env.gitops.branch;
      const A = image(env, 'a');
      const B = image(env, 'b');
      const before = checkoutState(clone);
      expect(before.status).toBe('');
      expect(sh(clone, 'branch', '--list', branch)).toBe('');
      const outputs = join(scratch.dir, `github-output-${env.name}`);

      const WA = webImage(env, 'c');
      const WB = webImage(env, 'd');
      const webImages = (commit: string) => bankApiImages(clone, commit, env, 'bank-web.k8s.yaml');
      const publish = async (digest: string, web?: string) => {
        writeFileSync(outputs, '');
        const args = [
          '--env',
          env.name,
          '--image',
          digest,
          ...(web === undefined ? [] : ['--web-image', web]),
        ];
        const run = await cli(clone, args, { GITHUB_OUTPUT: outputs });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toBe('');
        expect(checkoutState(clone)).toEqual(before);
        return { ...run, commit: tip(clone, branch), outputs: readFileSync(outputs, 'utf8') };
      };

      // 1. Deploy A (and the app's WA): the first publish creates the branch with the environment's two folders.
      const first = await publish(A, WA);
      expect(first.stdout).toContain(`${env.name}: committed ${first.commit} on '${branch}'\n`);
      expect(first.stdout).toContain(`image ${A}, web image ${WA}, source ${before.head}\n`);
      for (const file of ownFiles(env)) expect(first.stdout).toContain(`A\t${file}\n`);
      expect(first.stdout).toMatch(
        new RegExp(`${ownFiles(env).length} files changed, \\d+ insertions\\(\\+\\)`),
      );
      expect(webImages(first.commit)).toEqual({ Deployment: [WA] });
      expect(first.outputs).toBe(`changed=true\ncommit=${first.commit}\nbranch=${branch}\n`);
      expect(parents(clone, first.commit)).toEqual([]);
      expect(sh(clone, 'ls-tree', '-r', '--name-only', first.commit).split('\n')).toEqual(ownFiles(env));
      expect(bankApiImages(clone, first.commit, env)).toEqual(apiImages(env, A));
      expect(sh(clone, 'log', '-1', '--format=%B', first.commit)).toContain(`Rendered from ${before.head}`);

      // 2. The same image again, without --web-image: the app keeps WA, so nothing to commit, exit 0.
      const again = await publish(A);
      expect(again.stdout).toBe(
        `${env.name}: '${branch}' already has this render (image ${A}, web image ${WA}); nothing to commit\n`,
      );
      expect(again.commit).toBe(first.commit);
      expect(again.outputs).toBe(`changed=false\ncommit=\nbranch=${branch}\n`);

      // 3. Upgrade to B: one commit, only the image lines of the workload and the migration Job.
      const upgrade = await publish(B);
      expect(upgrade.stdout).toContain(`${env.name}: committed ${upgrade.commit} on '${branch}'\n`);
      expect(upgrade.stdout).toContain(`M\t${workloadsPath(env)}/bank-api.k8s.yaml\n`);
      expect(upgrade.outputs).toBe(`changed=true\ncommit=${upgrade.commit}\nbranch=${branch}\n`);
      expect(parents(clone, upgrade.commit)).toEqual([first.commit]);
      expect(sh(clone, 'diff-tree', '-r', '--name-status', first.commit, upgrade.commit)).toBe(
        `M\t${workloadsPath(env)}/bank-api.k8s.yaml`,
      );
      expect(bankApiImages(clone, upgrade.commit, env)).toEqual(apiImages(env, B));
      const changed = changedLines(clone, first.commit, upgrade.commit);
      expect(changed).toHaveLength(4);
      for (const line of changed) expect(line).toMatch(/^[-+]\s+image: \S+@sha256:(a{64}|b{64})$/);
      expect(webImages(upgrade.commit)).toEqual({ Deployment: [WA] });

      // 3b. Upgrade the app alone to WB: only bank-web's image line moves.
      const webUpgrade = await publish(B, WB);
      expect(sh(clone, 'diff-tree', '-r', '--name-status', upgrade.commit, webUpgrade.commit)).toBe(
        `M\t${workloadsPath(env)}/bank-web.k8s.yaml`,
      );
      expect(changedLines(clone, upgrade.commit, webUpgrade.commit)).toEqual([
        `-          image: ${WA}`,
        `+          image: ${WB}`,
      ]);

      // 4. Roll both back to A and WA: one more commit, and the branch is again exactly what step 1 made.
      const rollback = await publish(A, WA);
      expect(rollback.stdout).toContain(`${env.name}: committed ${rollback.commit} on '${branch}'\n`);
      expect(parents(clone, rollback.commit)).toEqual([webUpgrade.commit]);
      expect(treeOf(clone, rollback.commit)).toBe(treeOf(clone, first.commit));
      expect(bankApiImages(clone, rollback.commit, env)).toEqual(apiImages(env, A));
      expect(sh(clone, 'rev-list', '--count', rollback.commit, '--')).toBe('4');

      expect(sh(clone, 'status', '--porcelain')).toBe('');
      expect(sh(clone, 'rev-parse', 'HEAD')).toBe(before.head);
      // Six CLI runs, each starting tsx and rendering both workloads: seconds each, more on a busy machine.
    }, 300_000);
  }

  it.concurrent('exits 2 with a message and the usage for bad arguments, changing no ref', async ({
    expect,
  }) => {
    const clone = clones.get('bad-arguments') as string;
    const refs = sh(clone, 'for-each-ref');
    // One run per way the CLI turns a mistake into exit 2: its own argument checks, an unknown
    // environment, and a bad image (the publisher's own messages are checked without the CLI below).
    const cases: [string[], RegExp][] = [
      [['--image', image(dev, 'a')], /--env is required/],
      [['--env', 'dev'], /--image is required/],
      [['--env', 'dev', '--image', image(dev, 'a'), '--colour'], /Unknown option '--colour'/],
      [['--env', 'staging', '--image', image(dev, 'a')], /unknown environment; known: dev, prod/],
      [['--env', 'dev', '--image', image(prod, 'a')], /is not dev's \(dev\.bankApi\.imageRepository/],
      [
        ['--env', 'dev', '--image', image(dev, 'a'), '--web-image', webImage(prod, 'a')],
        /--web-image repository '\S+' is not dev's \(dev\.bankWeb\.imageRepository/,
      ],
      [
        ['--env', 'dev', '--image', image(dev, 'a'), '--web-image', image(dev, 'a')],
        /--web-image repository '\S+\/bank-api' is not dev's/,
      ],
      [
        ['--env', 'dev', '--image', image(dev, 'a'), '--web-image', `${dev.bankWeb.imageRepository}:1.0.0`],
        /--web-image '\S+' must be pinned by digest/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(clone, args)));
    cases.forEach(([args, message], i) => {
      const run = runs[i] as Run;
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('usage: npm run manifests:publish');
    });
    expect(sh(clone, 'for-each-ref')).toBe(refs);
  });
});

describe('manifests:publish leaves the caller’s checkout alone and refuses what it cannot handle', () => {
  let scratch: Scratch;
  let clone: string;
  beforeAll(() => {
    scratch = scratchDir('publish-test-');
    clone = cloneThisRepository(join(scratch.dir, 'clone'));
  });
  afterAll(() => scratch.cleanup());

  it("refuses an image that is not pinned by digest to the environment's repository, or a bad branch name", () => {
    const refs = sh(clone, 'for-each-ref');
    const cases: [string, string | undefined, RegExp][] = [
      [`${dev.bankApi.imageRepository}:1.2.3`, undefined, /must be pinned by digest/],
      [`${dev.bankApi.imageRepository}@sha256:abc`, undefined, /sha256:<64 hex digits>/],
      [image(prod, 'a'), undefined, /is not dev's \(dev\.bankApi\.imageRepository/],
      [image(dev, 'a'), 'bad..name', /--branch 'bad\.\.name' is not a valid Git branch name/],
    ];
    for (const [badImage, branch, message] of cases) {
      const options = { repo: clone, env: dev, image: badImage, ...(branch ? { branch } : {}) };
      expect(() => publishManifests(options)).toThrow(PublishInputError);
      expect(() => publishManifests(options)).toThrow(message);
    }
    expect(sh(clone, 'for-each-ref')).toBe(refs);
  });

  it('refuses uncommitted changes to the rendering inputs unless --allow-dirty', () => {
    const chart = join(clone, 'charts', 'render.ts');
    const source = readFileSync(chart, 'utf8');
    writeFileSync(join(clone, 'charts', 'new-chart.ts'), 'export {};\n');
    writeFileSync(chart, `${source}// edited\n`);
    try {
      const options = { repo: clone, env: dev, image: image(dev, 'a'), branch: 'test/dirty-inputs' };
      expect(() => publishManifests(options)).toThrow(
        /uncommitted changes[\s\S]* M charts\/render\.ts[\s\S]*\?\? charts\/new-chart\.ts[\s\S]*--allow-dirty/,
      );
      expect(sh(clone, 'branch', '--list', 'test/dirty-inputs')).toBe('');
      expect(publishManifests({ ...options, allowDirty: true }).changed).toBe(true);
    } finally {
      writeFileSync(chart, source);
      rmSync(join(clone, 'charts', 'new-chart.ts'));
    }
    expect(sh(clone, 'status', '--porcelain')).toBe('');
  });

  it('removes files of its folders that the render no longer produces', () => {
    const branch = 'test/stray';
    const first = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), branch });
    // A leftover from an older render, committed to the branch by hand.
    const wt = join(scratch.dir, 'wt-stray');
    sh(clone, 'worktree', 'add', '-q', wt, branch);
    writeFileSync(join(wt, workloadsPath(dev), 'old.k8s.yaml'), 'kind: ConfigMap\n');
    sh(wt, 'add', '.');
    sh(wt, 'commit', '-q', '-m', 'stray file');
    sh(clone, 'worktree', 'remove', wt);
    const result = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), branch });
    expect(result.files).toEqual([`D\t${workloadsPath(dev)}/old.k8s.yaml`]);
    expect(treeOf(clone, branch)).toBe(treeOf(clone, first.commit as string));
  });

  it('works from a detached HEAD and names that commit as the source', () => {
    const head = sh(clone, 'rev-parse', 'HEAD');
    sh(clone, 'switch', '-q', '--detach', head);
    try {
      const result = publishManifests({
        repo: clone,
        env: dev,
        image: image(dev, 'a'),
        branch: 'test/detached',
      });
      expect(result.source).toBe(head);
      expect(sh(clone, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    } finally {
      sh(clone, 'switch', '-q', 'main');
    }
  });

  it.skipIf(underMutation)(
    'lets exactly one of two concurrent publishes to a branch win; the other fails and changes nothing',
    async () => {
      const branch = 'test/race';
      // Git's reference-transaction hook holds the first publisher inside its ref update, with the
      // ref's lock taken ("prepared"), until the second has read the branch, built its commit and tried
      // to move the branch too. Only the first transaction on this branch waits.
      const inHook = join(scratch.dir, 'race-first-in-hook');
      const release = join(scratch.dir, 'race-release');
      const hook = join(clone, '.git', 'hooks', 'reference-transaction');
      writeFileSync(
        hook,
        [
          '#!/bin/sh',
          '[ "$1" = prepared ] || exit 0',
          `grep " refs/heads/${branch}$" >/dev/null || exit 0`,
          `mkdir "${inHook}" 2>/dev/null || exit 0`,
          `while [ ! -e "${release}" ]; do sleep 0.05; done`,
          '',
        ].join('\n'),
      );
      chmodSync(hook, 0o755);
      const first = cli(clone, ['--env', 'dev', '--image', image(dev, 'a'), '--branch', branch]);
      try {
        const deadline = Date.now() + 60_000;
        while (!existsSync(inHook)) {
          if (Date.now() > deadline) throw new Error('the first publish never reached its ref update');
          await new Promise((r) => setTimeout(r, 50));
        }
        const second = await cli(clone, ['--env', 'dev', '--image', image(dev, 'b'), '--branch', branch]);
        expect(sh(clone, 'for-each-ref', `refs/heads/${branch}`), 'the loser moved nothing').toBe('');
        writeFileSync(release, '');
        const winner = await first;
        expect(winner.status, winner.stderr).toBe(0);
        expect(second.status).not.toBe(0);
        expect(second.stderr).toMatch(
          new RegExp(`branch '${branch}' changed while publishing .*nothing was changed`),
        );
        // The branch holds the winner's render: image a, nothing of b.
        expect(bankApiImages(clone, branch, dev)).toEqual(apiImages(dev, image(dev, 'a')));
      } finally {
        // Whatever failed above, the held publisher is let go and waited for: no process outlives the test.
        writeFileSync(release, '');
        await first;
        rmSync(hook);
      }
    },
  );

  it('refuses to move a branch that a working tree has checked out', () => {
    const branch = 'test/checked-out';
    const first = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), branch });
    const wt = join(scratch.dir, 'wt-checked-out');
    sh(clone, 'worktree', 'add', '-q', wt, branch);
    try {
      expect(() => publishManifests({ repo: clone, env: dev, image: image(dev, 'b'), branch })).toThrow(
        new RegExp(`branch '${branch}' is checked out in ${wt}; .*switch that checkout`),
      );
      expect(tip(clone, branch)).toBe(first.commit);
    } finally {
      sh(clone, 'worktree', 'remove', '--force', wt);
    }
  });

  it('refuses a repository without commits and a directory outside Git', () => {
    const empty = join(scratch.dir, 'empty');
    sh(scratch.dir, 'init', '-q', empty);
    expect(() => publishManifests({ repo: empty, env: dev, image: image(dev, 'a') })).toThrow(
      /has no commit yet/,
    );
    const plain = join(scratch.dir, 'plain');
    mkdirSync(plain);
    expect(() => publishManifests({ repo: plain, env: dev, image: image(dev, 'a') })).toThrow(
      /not inside a Git working tree/,
    );
  });

  // Last: it leaves the clone's working tree edited on purpose.
  it('publishes A, A, B, A with an edited manifests/ file, a staged edit and an untracked file, leaving them all as they were', () => {
    // Work in progress on files the render does not read, two of them in folders a publish replaces.
    const edited = join(clone, workloadsPath(dev), 'bank-api.k8s.yaml');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}# local experiment\n`);
    const staged = join(clone, workloadsPath(prod), 'namespaces.k8s.yaml');
    writeFileSync(staged, `${readFileSync(staged, 'utf8')}# staged experiment\n`);
    sh(clone, 'add', staged);
    const untracked = join(clone, workloadsPath(dev), 'scratch.k8s.yaml');
    writeFileSync(untracked, 'kind: ConfigMap\n');
    const before = checkoutState(clone);
    expect(before.status).toBe(
      [
        ` M ${workloadsPath(dev)}/bank-api.k8s.yaml`,
        `M  ${workloadsPath(prod)}/namespaces.k8s.yaml`,
        `?? ${workloadsPath(dev)}/scratch.k8s.yaml`,
      ]
        .join('\n')
        .trim(),
    );
    const contents = () => [edited, staged, untracked].map((file) => readFileSync(file, 'utf8'));
    const contentsBefore = contents();

    for (const env of ENVIRONMENTS) {
      const publish = (hex: string): PublishResult => {
        const result = publishManifests({ repo: clone, env, image: image(env, hex), branch: 'test/dirty' });
        expect(checkoutState(clone)).toEqual(before);
        expect(contents()).toEqual(contentsBefore);
        return result;
      };
      const first = publish('a');
      expect(first.changed).toBe(true);
      expect(branchFiles(clone, first.commit as string, env)).toEqual(ownFiles(env));
      const again = publish('a');
      expect(again.changed).toBe(false);
      expect(again.commit).toBeUndefined();
      const upgrade = publish('b');
      expect(upgrade.files).toEqual([`M\t${workloadsPath(env)}/bank-api.k8s.yaml`]);
      const rollback = publish('a');
      expect(rollback.parent).toBe(upgrade.commit);
      expect(treeOf(clone, rollback.commit as string)).toBe(treeOf(clone, first.commit as string));
    }
  });
});

describe('manifests:publish --push to a remote, from clones of this repository', () => {
  let scratch: Scratch;
  let remote: string;
  /** The checkout that deploys (a CI run's, or a developer's). */
  let clone: string;
  /** A second checkout of the remote (an operator's): it sees what was pushed, and rolls back from it. */
  let other: string;
  beforeAll(() => {
    scratch = scratchDir('publish-push-test-');
    remote = bareRemote(join(scratch.dir, 'remote.git'));
    clone = cloneThisRepository(join(scratch.dir, 'clone'));
    sh(clone, 'remote', 'add', 'origin', remote);
    sh(clone, 'push', '-q', 'origin', 'main');
    other = join(scratch.dir, 'other');
    sh(scratch.dir, 'clone', '-q', remote, other);
  });
  afterAll(() => scratch.cleanup());

  for (const env of ENVIRONMENTS) {
    it(`${env.name}: A, A again, B, then a rollback to A from another checkout, each pushed and fetched`, () => {
      const branch = env.gitops.branch;
      const publish = (repo: string, hex: string) =>
        publishManifests({ repo, env, image: image(env, hex), push: true });
      const fetched = (repo: string) => {
        sh(repo, 'fetch', '-q', 'origin');
        return tip(repo, `origin/${branch}`);
      };
      const before = [clone, other].map(checkoutState);
      const start = sh(remote, 'branch', '--list', branch) ? tip(remote, branch) : undefined;

      const first = publish(clone, 'a');
      expect(first).toMatchObject({ changed: true, pushed: true });
      expect(first.parent).toBe(start);
      expect(tip(remote, branch)).toBe(first.commit);
      expect(tip(clone, branch)).toBe(first.commit);
      expect(fetched(other)).toBe(first.commit);
      expect(bankApiImages(other, `origin/${branch}`, env)).toEqual(apiImages(env, image(env, 'a')));

      const again = publish(clone, 'a');
      expect(again).toMatchObject({ changed: false, pushed: false, parent: first.commit });
      expect(tip(remote, branch)).toBe(first.commit);

      const upgrade = publish(clone, 'b');
      expect(upgrade).toMatchObject({ changed: true, pushed: true, parent: first.commit });
      expect(upgrade.files).toEqual([`M\t${workloadsPath(env)}/bank-api.k8s.yaml`]);
      expect(tip(remote, branch)).toBe(upgrade.commit);
      expect(fetched(other)).toBe(upgrade.commit);
      expect(bankApiImages(other, `origin/${branch}`, env)[apiWorkloadKind(env)]).toEqual([image(env, 'b')]);

      // The operator rolls back from their own checkout: no local branch, it builds on the remote tip.
      const rollback = publish(other, 'a');
      expect(rollback).toMatchObject({ changed: true, pushed: true, parent: upgrade.commit });
      expect(tip(remote, branch)).toBe(rollback.commit);
      expect(treeOf(remote, rollback.commit as string)).toBe(treeOf(remote, first.commit as string));
      expect(fetched(clone)).toBe(rollback.commit);
      expect(bankApiImages(clone, `origin/${branch}`, env)[apiWorkloadKind(env)]).toEqual([image(env, 'a')]);
      expect(sh(remote, 'rev-list', '--count', start ? `${start}..${branch}` : branch, '--')).toBe('3');

      expect([clone, other].map(checkoutState)).toEqual(before);
      expect(sh(clone, 'status', '--porcelain')).toBe('');
      expect(sh(other, 'status', '--porcelain')).toBe('');
    });
  }

  it('opens the prod pull-request branch from the remote manifests branch, as release.yml does', () => {
    const base = prod.gitops.branch;
    if (!sh(remote, 'branch', '--list', base)) {
      publishManifests({ repo: other, env: dev, image: image(dev, 'a'), push: true });
    }
    const manifests = tip(remote, base);
    const head = sh(other, 'rev-parse', 'HEAD');
    const pr = publishManifests({
      repo: other,
      env: prod,
      image: image(prod, 'c'),
      push: true,
      branch: `deploy/prod/${head}`,
      base,
    });
    expect(pr.parent).toBe(manifests);
    expect(tip(remote, `deploy/prod/${head}`)).toBe(pr.commit);
    expect(tip(remote, base)).toBe(manifests);
    expect(pr.files.length).toBeGreaterThan(0);
    for (const file of pr.files) expect(file).toMatch(/^[AM]\tmanifests\/(argocd\/)?prod\//);
    expect(sh(other, 'status', '--porcelain')).toBe('');
  });

  it('leaves both the local and the remote branch as they were when the push is rejected', () => {
    const branch = 'test/protected';
    const first = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), push: true, branch });
    const hook = join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "branch protected" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    try {
      expect(() =>
        publishManifests({ repo: clone, env: dev, image: image(dev, 'b'), push: true, branch }),
      ).toThrow(/git push .* failed[\s\S]*branch protected/);
    } finally {
      rmSync(hook);
    }
    expect(tip(clone, branch)).toBe(first.commit);
    expect(tip(remote, branch)).toBe(first.commit);
  });

  it('does not move the local branch when it moved while publishing (compare-and-swap)', () => {
    const branch = 'test/cas';
    const first = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), push: true, branch });
    // Someone moves the local branch between the publisher's read and its update-ref.
    const hook = join(clone, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\ngit update-ref refs/heads/${branch} HEAD\n`);
    chmodSync(hook, 0o755);
    let pushed: string | undefined;
    try {
      expect(() =>
        publishManifests({ repo: clone, env: dev, image: image(dev, 'b'), push: true, branch }),
      ).toThrow(
        new RegExp(
          `^branch '${branch}' changed while publishing \\(fatal: update_ref failed for ref 'refs/heads/${branch}': ` +
            `cannot lock ref 'refs/heads/${branch}': is at [0-9a-f]{40} but expected [0-9a-f]{40}\\); ` +
            `the commit [0-9a-f]{40} was pushed to origin; fetch it$`,
        ),
      );
      pushed = tip(remote, branch);
    } finally {
      rmSync(hook);
    }
    expect(tip(clone, branch)).toBe(sh(clone, 'rev-parse', 'HEAD'));
    expect(parents(remote, pushed as string)).toEqual([first.commit]);
  });

  it('fetches the branch and the base before building: a checkout that has not fetched builds on the remote tips', () => {
    // A checkout cloned now, then left behind while the other one publishes.
    const late = join(scratch.dir, 'late');
    sh(scratch.dir, 'clone', '-q', remote, late);
    const base = dev.gitops.branch;
    const moved = publishManifests({ repo: other, env: dev, image: image(dev, 'd'), push: true });
    expect(tip(late, `refs/remotes/origin/${base}`)).not.toBe(moved.commit);

    const again = publishManifests({ repo: late, env: dev, image: image(dev, 'e'), push: true });
    expect(again.parent).toBe(moved.commit);
    expect(tip(remote, base)).toBe(again.commit);

    publishManifests({ repo: other, env: dev, image: image(dev, 'f'), push: true });
    const head = sh(late, 'rev-parse', 'HEAD');
    const pr = publishManifests({
      repo: late,
      env: prod,
      image: image(prod, 'f'),
      push: true,
      branch: `deploy/prod/late-${head}`,
      base,
    });
    expect(pr.parent).toBe(tip(remote, base));
  });

  it('says why a fetch failed, and leaves the branch alone', () => {
    sh(clone, 'remote', 'add', 'gone', join(scratch.dir, 'no-such-remote.git'));
    const refs = sh(clone, 'for-each-ref');
    expect(() =>
      publishManifests({
        repo: clone,
        env: dev,
        image: image(dev, 'a'),
        push: true,
        remote: 'gone',
        branch: 'x',
      }),
    ).toThrow(
      /^fetching 'x' from gone failed: fatal: '.*no-such-remote\.git' does not appear to be a git repository/,
    );
    expect(sh(clone, 'for-each-ref')).toBe(refs);
  });

  it('refuses a --base the remote does not have', () => {
    expect(() =>
      publishManifests({
        repo: clone,
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

describe('manifests:publish in-process: results, commit message and refusals, exactly', () => {
  let scratch: Scratch;
  let clone: string;
  beforeAll(() => {
    scratch = scratchDir('publish-exact-test-');
    clone = cloneThisRepository(join(scratch.dir, 'clone'));
  });
  afterAll(() => scratch.cleanup());

  it('commits with the deploy message and reports what changed; a repeat reports nothing', () => {
    const head = sh(clone, 'rev-parse', 'HEAD');
    const branch = 'test/exact';
    const A = image(dev, 'a');
    const first = publishManifests({ repo: clone, env: dev, image: A, branch });
    expect(first).toMatchObject({ branch, source: head, image: A, changed: true, pushed: false });
    expect(first.parent).toBeUndefined();
    expect(first.files).toEqual(ownFiles(dev).map((file) => `A\t${file}`));
    expect(first.stat).toMatch(/^ manifests\/argocd\/dev\/argocd\.k8s\.yaml +\| +\d+ \+{3,}/);
    expect(
      sh(clone, 'cat-file', 'commit', first.commit as string)
        .split('\n\n')
        .slice(1)
        .join('\n\n'),
    ).toBe(
      `deploy(dev): bank-api sha256:aaaaaaaaaaaa\n\nImage: ${A}\nRendered from ${head} by npm run manifests:publish.`,
    );
    const repeat = publishManifests({ repo: clone, env: dev, image: A, branch });
    expect(repeat).toEqual({
      branch,
      source: head,
      image: A,
      webImage: configuredWebImage(dev),
      parent: first.commit,
      changed: false,
      pushed: false,
      stat: '',
      files: [],
    });
    const custom = publishManifests({
      repo: clone,
      env: dev,
      image: image(dev, 'b'),
      branch,
      message: '  x\n\n',
    });
    expect(
      sh(clone, 'cat-file', 'commit', custom.commit as string)
        .split('\n\n')
        .slice(1)
        .join('\n\n'),
    ).toBe('  x');
  });

  it('names both images in the message when --web-image is given; without it the branch keeps its app image', () => {
    const head = sh(clone, 'rev-parse', 'HEAD');
    const branch = 'test/web-image';
    const A = image(dev, 'a');
    const W = webImage(dev, 'e');
    const first = publishManifests({ repo: clone, env: dev, image: A, webImage: W, branch });
    expect(first).toMatchObject({ image: A, webImage: W, changed: true });
    expect(
      sh(clone, 'cat-file', 'commit', first.commit as string)
        .split('\n\n')
        .slice(1)
        .join('\n\n'),
    ).toBe(
      `deploy(dev): bank-api sha256:aaaaaaaaaaaa, bank-web sha256:eeeeeeeeeeee\n\nImage: ${A}\nWeb image: ${W}\nRendered from ${head} by npm run manifests:publish.`,
    );
    const apiOnly = publishManifests({ repo: clone, env: dev, image: image(dev, 'b'), branch });
    expect(apiOnly).toMatchObject({ webImage: W, changed: true });
    expect(apiOnly.files).toEqual([`M\t${workloadsPath(dev)}/bank-api.k8s.yaml`]);
    // A new branch has no app image to keep: the configured tag.
    const fresh = publishManifests({ repo: clone, env: dev, image: A, branch: 'test/web-fresh' });
    expect(fresh.webImage).toBe(configuredWebImage(dev));
  });

  it('refuses a --web-image that is not pinned by digest to the environment’s web repository', () => {
    const refs = sh(clone, 'for-each-ref');
    const cases: [string, RegExp][] = [
      [`${dev.bankWeb.imageRepository}:1.2.3`, /--web-image '\S+' must be pinned by digest/],
      [
        webImage(prod, 'a'),
        /--web-image repository '\S+' is not dev's \(dev\.bankWeb\.imageRepository = '\S+'\)/,
      ],
      [`${dev.bankWeb.imageRepository}@sha256:abc`, /--web-image: invalid image reference/],
    ];
    for (const [bad, message] of cases) {
      const options = {
        repo: clone,
        env: dev,
        image: image(dev, 'a'),
        webImage: bad,
        branch: 'test/bad-web',
      };
      expect(() => publishManifests(options)).toThrow(PublishInputError);
      expect(() => publishManifests(options)).toThrow(message);
    }
    expect(sh(clone, 'for-each-ref')).toBe(refs);
  });

  it('leaves no scratch index behind', () => {
    const tmp = join(scratch.dir, 'tmp');
    mkdirSync(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      publishManifests({ repo: clone, env: dev, image: image(dev, 'c'), branch: 'test/tmp' });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('starts a new branch from a local --base, and refuses a --base that is no branch', () => {
    const base = publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), branch: 'test/base' });
    const started = publishManifests({
      repo: clone,
      env: prod,
      image: image(prod, 'a'),
      branch: 'test/from-base',
      base: 'test/base',
    });
    expect(started.parent).toBe(base.commit);
    const refused = () =>
      publishManifests({
        repo: clone,
        env: prod,
        image: image(prod, 'a'),
        branch: 'test/no-base',
        base: 'nope',
      });
    expect(refused).toThrow(new PublishStateError("--base 'nope' is not a branch of this repository"));
    expect(refused).toThrow(expect.objectContaining({ name: 'PublishStateError' }));
  });

  it('lists the first ten uncommitted inputs and counts the rest', () => {
    const files = Array.from({ length: 12 }, (_, i) =>
      join('charts', `zz-new-${String(i).padStart(2, '0')}.ts`),
    );
    for (const file of files) writeFileSync(join(clone, file), 'export {};\n');
    try {
      expect(() =>
        publishManifests({ repo: clone, env: dev, image: image(dev, 'a'), branch: 'test/many' }),
      ).toThrow(
        new PublishStateError(
          'the rendering inputs have uncommitted changes, so the manifests would not match commit HEAD:\n' +
            files
              .slice(0, 10)
              .map((file) => `  ?? ${file}`)
              .join('\n') +
            '\n  ... and 2 more\ncommit or stash them first, or pass --allow-dirty',
        ),
      );
    } finally {
      for (const file of files) rmSync(join(clone, file));
    }
  });

  it('names the error classes and what git said outside a working tree', () => {
    const bare = bareRemote(join(scratch.dir, 'bare.git'));
    expect(() => publishManifests({ repo: bare, env: dev, image: image(dev, 'a') })).toThrow(
      new PublishStateError(`${bare} is not inside a Git working tree (bare repository)`),
    );
    const plain = join(scratch.dir, 'plain');
    mkdirSync(plain);
    expect(() => publishManifests({ repo: plain, env: dev, image: image(dev, 'a') })).toThrow(
      new RegExp(`^${plain} is not inside a Git working tree \\(fatal: not a git repository`),
    );
    expect(() => publishManifests({ repo: clone, env: dev, image: 'nope' })).toThrow(
      expect.objectContaining({ name: 'PublishInputError' }),
    );
  });
});
