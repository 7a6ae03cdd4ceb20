import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManifestDiffError, type ManifestRenderer, manifestDiff } from '../../scripts/manifests/diff.js';
import { cloneThisRepository, type Scratch, scratchDir, sh } from './git-fixtures.js';

// manifests:diff in a clone of this repository, in-process: the base worktree, the real `git diff`
// and its paths, the clean-up. The renderer copies each checkout's committed manifests/ folder (what
// charts/main.ts wrote there), so a test takes a second instead of two renders; diff.test.ts runs the
// default renderer, each checkout's own charts.

let scratch: Scratch;
let clone: string;
let head: string;
/** Each call of the renderer: the checkout it was given, that checkout's HEAD, and the outdir. */
let renders: { checkout: string; commit: string; outdir: string }[];

const copyManifests: ManifestRenderer = (checkout, outdir) => {
  renders.push({ checkout, commit: sh(checkout, 'rev-parse', 'HEAD'), outdir });
  cpSync(join(checkout, 'manifests'), outdir, { recursive: true });
};

const worktrees = () => sh(clone, 'worktree', 'list', '--porcelain').match(/^worktree .*$/gm);

beforeAll(() => {
  scratch = scratchDir('manifests-diff-worktree-');
  clone = cloneThisRepository(join(scratch.dir, 'clone'));
  head = sh(clone, 'rev-parse', 'HEAD');
});
afterAll(() => scratch.cleanup());
beforeEach(() => {
  renders = [];
  sh(clone, 'reset', '--quiet', '--hard', head);
  sh(clone, 'clean', '--quiet', '-d', '--force');
});

describe('manifestDiff on a clone of this repository', () => {
  it('renders the base from a temporary worktree at that commit and the head from the checkout', async () => {
    const result = await manifestDiff({ repo: clone, base: 'HEAD', renderer: copyManifests });
    expect(result).toEqual({
      base: 'HEAD',
      baseCommit: head,
      objects: [],
      stat: '',
      diff: '',
      truncated: false,
    });
    expect(renders.map((r) => r.commit)).toEqual([head, head]);
    const [base, own] = renders;
    expect(base?.checkout).not.toBe(clone);
    expect(own?.checkout).toBe(clone);
    // One scratch folder holds the worktree and both renders.
    const folder = dirname(base?.outdir as string);
    expect(folder).toMatch(/\/manifests-diff-[^/]+$/);
    expect([base?.checkout, base?.outdir, own?.outdir]).toEqual(
      ['checkout', 'base', 'head'].map((f) => join(folder, f)),
    );
    // Gone afterwards: the worktree, its registration and the scratch folder.
    expect(existsSync(base?.checkout as string)).toBe(false);
    expect(existsSync(join(base?.outdir as string, '..'))).toBe(false);
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });

  it('names what changed and writes the diff with repository-relative paths', async () => {
    // The base: this repository's HEAD plus a manifest that the head then removes.
    writeFileSync(
      join(clone, 'manifests', 'prod', 'legacy.k8s.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: legacy\n  namespace: bank\nspec:\n  ports:\n    - port: 80\n',
    );
    sh(clone, 'add', 'manifests/prod/legacy.k8s.yaml');
    sh(clone, 'commit', '--quiet', '-m', 'A legacy Service');
    const base = sh(clone, 'rev-parse', 'HEAD');
    rmSync(join(clone, 'manifests', 'prod', 'legacy.k8s.yaml'));
    const config = join(clone, 'manifests', 'dev', 'bank-api.k8s.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('LOG_LEVEL: debug', 'LOG_LEVEL: warn'));
    // Its data names paths like the ones the diff's headers rewrite: they must stay as written.
    writeFileSync(
      join(clone, 'manifests', 'dev', 'extra.k8s.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: bank\ndata:\n' +
        '  from: a/base/dev/x b/head/dev/x\n  to: base/dev/x => /dev/null\n' +
        '  script: diff --git a/base/x b/head/x\n  header: --- a/base/x\n',
    );
    const status = sh(clone, 'status', '--porcelain');

    const result = await manifestDiff({ repo: join(clone, 'charts'), base: 'main', renderer: copyManifests });

    expect(result.base).toBe('main');
    expect(result.baseCommit).toBe(base);
    expect(result.objects).toEqual([
      { file: 'dev/bank-api.k8s.yaml', object: 'ConfigMap bank/bank-api-config', change: 'changed' },
      { file: 'dev/extra.k8s.yaml', object: 'ConfigMap bank/extra', change: 'added' },
      { file: 'prod/legacy.k8s.yaml', object: 'Service bank/legacy', change: 'removed' },
    ]);
    const diff = result.diff;
    // Each file under its own path, also where it exists on one side only (it once read a/head/...).
    expect(diff.match(/^diff --git .*$/gm)).toEqual([
      'diff --git a/dev/bank-api.k8s.yaml b/dev/bank-api.k8s.yaml',
      'diff --git a/dev/extra.k8s.yaml b/dev/extra.k8s.yaml',
      'diff --git a/prod/legacy.k8s.yaml b/prod/legacy.k8s.yaml',
    ]);
    expect(diff).toMatch(/^--- a\/dev\/bank-api\.k8s\.yaml\n\+\+\+ b\/dev\/bank-api\.k8s\.yaml$/m);
    expect(diff).toMatch(/^- {2}LOG_LEVEL: debug\n\+ {2}LOG_LEVEL: warn$/m);
    expect(diff).toMatch(/^--- \/dev\/null\n\+\+\+ b\/dev\/extra\.k8s\.yaml$/m);
    expect(diff).toMatch(/^--- a\/prod\/legacy\.k8s\.yaml\n\+\+\+ \/dev\/null$/m);
    const data = [
      '+  from: a/base/dev/x b/head/dev/x',
      '+  to: base/dev/x => /dev/null',
      '+  script: diff --git a/base/x b/head/x',
      '+  header: --- a/base/x',
    ];
    expect(diff).toContain(`\n${data.join('\n')}\n`);
    for (const line of diff.split('\n').filter((l) => !data.includes(l)))
      expect(line).not.toMatch(/\b(base|head)\//);
    expect(
      result.stat
        .trimEnd()
        .split('\n')
        .map((line) => line.replace(/\s+\|.*/, '')),
    ).toEqual([
      ' dev/bank-api.k8s.yaml',
      ' dev/extra.k8s.yaml',
      ' prod/legacy.k8s.yaml',
      ' 3 files changed, 11 insertions(+), 9 deletions(-)',
    ]);
    expect(result.truncated).toBe(false);
    // The checkout is only read.
    expect(sh(clone, 'status', '--porcelain')).toBe(status);
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });

  it('cuts a diff longer than maxDiffChars after a whole line', async () => {
    // Only the namespace file: small enough that the whole diff stays under the default limit.
    const config = join(clone, 'manifests', 'dev', 'namespaces.k8s.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replaceAll('bank', 'bank-renamed'));
    const full = await manifestDiff({ repo: clone, base: 'HEAD', renderer: copyManifests });
    const cut = await manifestDiff({ repo: clone, base: 'HEAD', renderer: copyManifests, maxDiffChars: 400 });
    expect(full.truncated).toBe(false);
    expect(full.diff.length).toBeGreaterThan(400);
    expect(cut.truncated).toBe(true);
    expect(cut.diff.length).toBeLessThanOrEqual(400);
    expect(cut.diff.endsWith('\n')).toBe(true);
    expect(full.diff.startsWith(cut.diff)).toBe(true);
    expect(cut.objects).toEqual(full.objects);
  });

  it('refuses a base that is not a commit before creating anything', async () => {
    const failure = manifestDiff({ repo: clone, base: 'no-such-branch', renderer: copyManifests });
    await expect(failure).rejects.toThrow(`--base 'no-such-branch' is not a commit in ${clone}`);
    await expect(failure).rejects.toMatchObject({ name: 'ManifestDiffError' });
    await expect(failure).rejects.toBeInstanceOf(ManifestDiffError);
    expect(renders).toEqual([]);
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });

  it('removes the worktree when rendering fails, and says what failed', async () => {
    const checkouts: string[] = [];
    const failing: ManifestRenderer = async (checkout) => {
      checkouts.push(checkout);
      throw new ManifestDiffError(`rendering ${checkout} failed:\nbroken chart`);
    };
    await expect(manifestDiff({ repo: clone, base: 'HEAD', renderer: failing })).rejects.toThrow(
      /failed:\nbroken chart/,
    );
    expect(checkouts).toHaveLength(2);
    for (const checkout of checkouts.filter((c) => c !== clone)) expect(existsSync(checkout)).toBe(false);
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });

  it('unregisters the worktree even when a render removed its folder', async () => {
    const removing: ManifestRenderer = (checkout, outdir) => {
      copyManifests(clone, outdir);
      if (checkout !== clone) rmSync(checkout, { recursive: true, force: true });
    };
    await expect(manifestDiff({ repo: clone, base: 'HEAD', renderer: removing })).resolves.toMatchObject({
      objects: [],
    });
    expect(worktrees()).toEqual([`worktree ${clone}`]);
    expect(sh(clone, 'worktree', 'prune', '--dry-run', '--verbose')).toBe('');
  });

  it('fails with git’s message when git cannot compare the renders', async () => {
    const withFifo: ManifestRenderer = (checkout, outdir) => {
      copyManifests(checkout, outdir);
      if (checkout === clone) execFileSync('mkfifo', [join(outdir, 'dev', 'pipe')]);
    };
    await expect(manifestDiff({ repo: clone, base: 'HEAD', renderer: withFifo })).rejects.toThrow(
      /^git diff --no-index --no-color --no-ext-diff --stat=120 base head: error: head\/dev\/pipe: unsupported file type/,
    );
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });

  it('refuses a render that wrote nothing instead of reporting an empty diff', async () => {
    const headless: ManifestRenderer = (checkout, outdir) => {
      if (checkout !== clone) copyManifests(checkout, outdir);
    };
    await expect(manifestDiff({ repo: clone, base: 'HEAD', renderer: headless })).rejects.toThrow(
      new RegExp(`^rendering ${clone} wrote no manifests to /.*/manifests-diff-[^/]+/head$`),
    );
    expect(worktrees()).toEqual([`worktree ${clone}`]);
  });
});
