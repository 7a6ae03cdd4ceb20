import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../platform/config/index.js';
import { formatMarkdown, formatText, manifestDiff } from '../../scripts/manifests/diff.js';
import { GIT_ENV, gitRoot, type Scratch, scratchDir, sh } from './git-fixtures.js';

// manifests:diff on a temporary clone of this repository's HEAD: the base is rendered from a
// temporary worktree, the head from the clone's working tree with an edited environment config.

const repoRoot = join(import.meta.dirname, '..', '..');
const TSX = join(repoRoot, 'node_modules', '.bin', 'tsx');
const CLI = join(repoRoot, 'scripts', 'manifests', 'diff-cli.ts');

let scratch: Scratch;
let clone: string;
beforeAll(() => {
  scratch = scratchDir('manifests-diff-test-');
  clone = join(scratch.dir, 'clone');
  sh(scratch.dir, 'clone', '--quiet', '--shared', gitRoot(), clone);
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
});
afterAll(() => scratch.cleanup());

// dev releases bank-api as a canary: its pods belong to a Rollout, not a Deployment.
const apiKind = loadEnvironment('dev').bankApi.delivery.kind === 'canary' ? 'Rollout' : 'Deployment';

describe('manifests:diff', () => {
  it('reports no change when head renders what base renders', async () => {
    const result = await manifestDiff({ repo: clone, base: 'HEAD' });
    expect(result.objects).toEqual([]);
    expect(result.diff).toBe('');
    expect(formatMarkdown(result)).toContain('No change to the rendered manifests.');
    expect(sh(clone, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('names the objects a config change touches and shows the changed lines', async () => {
    const config = join(clone, 'platform', 'config', 'environments.ts');
    const source = readFileSync(config, 'utf8');
    expect(source).toContain("logLevel: 'debug'");
    writeFileSync(config, source.replace("logLevel: 'debug'", "logLevel: 'warn'"));
    const statusBefore = sh(clone, 'status', '--porcelain');

    const result = await manifestDiff({ repo: clone, base: 'HEAD' });

    expect(result.objects).toEqual([
      { file: 'dev/bank-api.k8s.yaml', object: 'ConfigMap bank/bank-api-config', change: 'changed' },
      { file: 'dev/bank-api.k8s.yaml', object: `${apiKind} bank/bank-api`, change: 'changed' },
    ]);
    expect(result.diff).toMatch(/^-\s+LOG_LEVEL: debug$/m);
    expect(result.diff).toMatch(/^\+\s+LOG_LEVEL: warn$/m);
    expect(result.diff).toContain('--- a/dev/bank-api.k8s.yaml');
    expect(result.stat).toMatch(/1 file changed/);
    const markdown = formatMarkdown(result);
    expect(markdown).toContain('| `dev/bank-api.k8s.yaml` | ConfigMap bank/bank-api-config | changed |');
    expect(markdown).toContain('```diff');
    expect(formatText(result)).toContain(`changed  dev/bank-api.k8s.yaml: ${apiKind} bank/bank-api`);
    expect(result.truncated).toBe(false);
    // Only read: the clone's working tree is as it was, and the temporary worktree is gone.
    expect(sh(clone, 'status', '--porcelain')).toBe(statusBefore);
    expect(sh(clone, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('fails clearly on a bad base or bad arguments', () => {
    const run = (...args: string[]) =>
      spawnSync(TSX, [CLI, ...args], { cwd: clone, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
    const badBase = run('--base', 'no-such-branch');
    expect(badBase.status).toBe(1);
    expect(badBase.stderr).toContain("--base 'no-such-branch' is not a commit");
    const badFormat = run('--format', 'html');
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be text or markdown[\s\S]*usage:/);
  });
});
