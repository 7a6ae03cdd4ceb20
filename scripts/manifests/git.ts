import { spawnSync } from 'node:child_process';

// A thin, synchronous wrapper over the git CLI: arguments are passed as an array (no shell), and a
// failure raises with the command and git's own message, so callers can report it as is.

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${status ?? 'signal'}): ${stderr.trim() || '(no output)'}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  readonly cwd: string;
  /** Extra environment (e.g. GIT_INDEX_FILE for a private index). */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string | Buffer;
}

export interface GitResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git and returns its result whatever the exit status. */
export function gitRaw(args: readonly string[], options: GitOptions): GitResult {
  const result = spawnSync('git', args, {
    cwd: options.cwd,
    // Stryker disable next-line StringLiteral: only a remote that asks for credentials prompts; the
    // tests' remotes are local paths, so no test can see the prompt this turns into an error.
    env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs git and returns stdout without the trailing newline; throws GitError on a non-zero exit. */
export function git(args: readonly string[], options: GitOptions): string {
  const result = gitRaw(args, options);
  if (result.status !== 0) throw new GitError(args, result.status, result.stderr);
  return result.stdout.replace(/\n$/, '');
}

/** The commit a ref points at, or undefined when the ref does not exist. */
export function resolveCommit(ref: string, cwd: string): string | undefined {
  const result = gitRaw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
