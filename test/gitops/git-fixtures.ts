import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A repository with one commit on main (a README), like a fresh clone of the source repository. */
export function sourceRepo(dir: string): string {
  sh(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# source\n');
  sh(dir, 'add', 'README.md');
  sh(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A bare repository standing in for the remote (GitHub). */
export function bareRemote(dir: string): string {
  mkdirSync(dir, { recursive: true });
  sh(dir, 'init', '-q', '--bare', '-b', 'main');
  return dir;
}
