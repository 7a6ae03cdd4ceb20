import { spawn } from 'node:child_process';
import { clusterEnv } from './paths.js';

export interface RunResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandFailedError extends Error {
  constructor(readonly result: RunResult) {
    super(`'${result.command}' exited with ${result.code}\n${result.stderr || result.stdout}`);
    this.name = 'CommandFailedError';
  }
}

export interface RunOptions {
  /** Written to the command's standard input. */
  readonly input?: string;
  /** Return a non-zero exit instead of throwing. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

/** Runs a program against the local cluster (KUBECONFIG and PATH from paths.ts) and collects its output. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [program, ...args].join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { env: clusterEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { command, code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) reject(new CommandFailedError(result));
      else resolvePromise(result);
    });
    child.stdin.end(options.input ?? '');
  });
}

export function kubectl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', args, options);
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await kubectl([...args, '-o', 'json']);
  return JSON.parse(stdout) as T;
}
