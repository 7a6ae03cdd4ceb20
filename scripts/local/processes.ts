import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LOGS_DIR } from './layout.js';

// Processes of the local platform: started detached (they outlive `local:up`), each in its own
// process group with its output in .tools/local/logs/<name>.log, and stopped by pid from the state file.

export interface StartedProcess {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
}

export function startDetached(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): StartedProcess {
  const log = join(LOGS_DIR, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    child.unref();
    return { name, pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs` if anything is left. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until something listens on host:port; fails early, with the log's tail, if the process exits. */
export async function waitForPort(started: StartedProcess, host: string, port: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(host, port)) return;
    if (!isAlive(started.pid))
      throw new Error(`${started.name} exited before listening on ${port}:\n${tail(started.log)}`);
    await sleep(200);
  }
  throw new Error(
    `${started.name} did not listen on ${host}:${port} within ${timeoutMs / 1000}s:\n${tail(started.log)}`,
  );
}

export function tail(file: string, lines = 20): string {
  const result = spawnSync('tail', ['-n', String(lines), file], { encoding: 'utf8' });
  return result.stdout;
}
