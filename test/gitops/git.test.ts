import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError, git, gitRaw, resolveCommit } from '../../scripts/manifests/git.js';
import { type Scratch, scratchDir, sh } from './git-fixtures.js';

// The git wrapper the publisher and the diff are built on, against a real repository.

let scratch: Scratch;
let repo: string;
beforeAll(() => {
  scratch = scratchDir('git-wrapper-test-');
  repo = join(scratch.dir, 'repo');
  sh(scratch.dir, 'init', '-q', '-b', 'main', repo);
  for (const name of ['first', 'second']) {
    writeFileSync(join(repo, `${name}.txt`), `${name}\n`);
    sh(repo, 'add', '.');
    sh(repo, 'commit', '-q', '-m', name);
  }
});
afterAll(() => scratch.cleanup());

describe('git', () => {
  it('returns stdout without its final newline, and keeps the others', () => {
    expect(git(['log', '--format=%s'], { cwd: repo })).toBe('second\nfirst');
  });

  it('passes input and extra environment to git', () => {
    expect(git(['hash-object', '--stdin'], { cwd: repo, input: 'first\n' })).toBe(
      git(['rev-parse', 'HEAD~1:first.txt'], { cwd: repo }),
    );
    expect(git(['var', 'GIT_AUTHOR_IDENT'], { cwd: repo, env: { GIT_AUTHOR_NAME: 'Env Test' } })).toMatch(
      /^Env Test </,
    );
  });

  it('raises a GitError with the command, the exit code and what git said', () => {
    const failure = () => git(['rev-parse', '--verify', 'no-such-ref'], { cwd: repo });
    expect(failure).toThrow(
      new GitError(['rev-parse', '--verify', 'no-such-ref'], 128, 'fatal: Needed a single revision\n'),
    );
    expect(failure).toThrow(
      'git rev-parse --verify no-such-ref failed (exit 128): fatal: Needed a single revision',
    );
    expect(failure).toThrow(expect.objectContaining({ name: 'GitError', status: 128 }));
  });

  it('says so when a failing git printed nothing', () => {
    writeFileSync(join(repo, 'first.txt'), 'changed\n');
    try {
      expect(() => git(['diff', '--quiet'], { cwd: repo })).toThrow(
        'git diff --quiet failed (exit 1): (no output)',
      );
    } finally {
      sh(repo, 'checkout', '--', 'first.txt');
    }
  });
});

describe('gitRaw', () => {
  it('returns any exit status with both outputs', () => {
    expect(gitRaw(['rev-parse', '--verify', '--quiet', 'nope'], { cwd: repo })).toEqual({
      status: 1,
      stdout: '',
      stderr: '',
    });
  });

  it('throws when git cannot be started at all', () => {
    expect(() => gitRaw(['status'], { cwd: join(scratch.dir, 'missing') })).toThrow(/ENOENT/);
  });
});

describe('resolveCommit', () => {
  it('resolves a ref to its commit, and a missing or non-commit ref to undefined', () => {
    expect(resolveCommit('main', repo)).toBe(sh(repo, 'rev-parse', 'main'));
    expect(resolveCommit('no-such-ref', repo)).toBeUndefined();
    expect(resolveCommit('HEAD:first.txt', repo)).toBeUndefined();
  });
});
