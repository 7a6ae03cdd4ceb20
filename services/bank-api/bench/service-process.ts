import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/support/postgres.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const CLUSTER_MAIN = fileURLToPath(new URL('./cluster-main.ts', import.meta.url));

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs the real service entry point in its own process, as in production: the load generator must not
 * share the service's event loop. Its log lines go to `logFile`, like a container's stdout.
 */
export async function startServiceProcess(options: {
  env: Record<string, string>;
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /**
   * Run this script instead of the TypeScript entry point, from `cwd`: the compiled `dist/main.js`
   * exactly as the image's CMD starts it. @default src/main.ts through tsx
   */
  script?: { path: string; cwd: string };
  /** Service processes sharing the port (bench/cluster-main.ts). @default 1 */
  processes?: number;
}): Promise<ServiceProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const log = await open(options.logFile, 'a');
  const processes = options.processes ?? 1;
  const entry = options.script
    ? [options.script.path]
    : ['--import', 'tsx', processes > 1 ? CLUSTER_MAIN : MAIN];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: options.script?.cwd,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      BENCH_SERVICE_PROCESSES: String(processes),
      ...options.env,
    },
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`service exited with ${child.exitCode}; see ${options.logFile}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) {
      return {
        url,
        child,
        async stop() {
          if (child.exitCode !== null) return child.exitCode;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          const [code] = (await exited) as [number | null];
          return code;
        },
      };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become ready within 60 s; see ${options.logFile}`);
}
