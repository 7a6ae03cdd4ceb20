import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_REPOSITORY_ENV } from '../mutation/modules.js';

// Temporary Git repositories for the publisher and diff tests. Identity and config come from the
// environment, so the tests neither need nor read the machine's Git configuration.

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Publisher Test',
  GIT_AUTHOR_EMAIL: 'publisher@test.invalid',
  GIT_COMMITTER_NAME: 'Publisher Test',
  GIT_COMMITTER_EMAIL: 'publisher@test.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
Object.assign(process.env, GIT_ENV);

export function sh(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

export interface Scratch {
  readonly dir: string;
  cleanup(): void;
}

export function scratchDir(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The root of this repository (the checkout the tests run from). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * The Git repository the tests run in: REPO_ROOT, or under Stryker (which runs the tests from a copy
 * of the files outside any repository) the checkout that copy came from.
 */
export function gitRoot(): string {
  return process.env[SOURCE_REPOSITORY_ENV] ?? sh(REPO_ROOT, 'rev-parse', '--show-toplevel');
}

/**
 * A clone of this repository's HEAD, as a user's or CI's checkout has it: the real charts, platform
 * config and committed `manifests/` folder (main's render, which differs from what a publish commits).
 * The clone gets no remote, so nothing a test does can reach this checkout; tests that push add one.
 */
export function cloneThisRepository(dir: string): string {
  const source = gitRoot();
  sh(source, 'clone', '--quiet', '--no-tags', source, dir);
  sh(dir, 'remote', 'remove', 'origin');
  sh(dir, 'switch', '--quiet', '--force-create', 'main'); // on main even if this checkout is detached (CI)
  return dir;
}

/** A bare repository standing in for the remote (GitHub). */
export function bareRemote(dir: string): string {
  mkdirSync(dir, { recursive: true });
  sh(dir, 'init', '-q', '--bare', '-b', 'main');
  // CI checks out one commit (a shallow clone); its clones can still push main here.
  sh(dir, 'config', 'receive.shallowUpdate', 'true');
  return dir;
}
