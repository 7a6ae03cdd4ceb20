import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheusProxy } from '../../../scripts/local/prometheus-proxy.js';

// The engines of the canary drill: a real Prometheus (Debian's package), real bank-api processes
// standing in for the pods kwok simulates (kwok runs no containers), and the HTTP proxy that lets the
// Rollouts controller reach that Prometheus under its in-cluster name. Nothing here decides a
// verdict: the controller's AnalysisRun queries Prometheus, which scraped the processes.

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const HOST = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

/** Labels the ServiceMonitor's scrape would give a pod's series. */
export interface PodLabels {
  readonly job: string;
  readonly namespace: string;
  readonly pod: string;
}

/** A real Prometheus scraping file-discovered targets every second. */
export class DrillPrometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly targetsFile: string,
  ) {}

  static async start(): Promise<DrillPrometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'canary-prometheus-'));
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(targetsFile, '[]');
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: pods',
        '    honor_labels: true',
        `    file_sd_configs: [{ files: ['${targetsFile}'], refresh_interval: 1s }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${HOST}:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const url = `http://${HOST}:${port}`;
    await waitForHttp(`${url}/-/ready`, 60_000, child);
    return new DrillPrometheus(url, child, dir, targetsFile);
  }

  /** Scrape these metrics endpoints with these labels (the whole set, replacing the last one). */
  setTargets(targets: readonly { address: string; labels: PodLabels }[]): void {
    const groups = targets.map((t) => ({ targets: [t.address], labels: { ...t.labels } }));
    // Prometheus reads the file on change; a rename never shows it half-written.
    writeFileSync(`${this.targetsFile}.tmp`, JSON.stringify(groups));
    renameSync(`${this.targetsFile}.tmp`, this.targetsFile);
  }

  stop(): void {
    this.child.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One bank-api process; `healthy: false` gives it a database that refuses connections (5xx). */
export class ApiProcess {
  private constructor(
    readonly baseUrl: string,
    readonly metricsAddress: string,
    readonly healthy: boolean,
    private readonly child: ChildProcess,
  ) {}

  static async start(healthy: boolean): Promise<ApiProcess> {
    const [port, metricsPort, closedPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      NODE_ENV: 'development',
      AUTH_MODE: 'dev',
      DEV_AUTH_SECRET: 'canary-drill-secret-of-at-least-32-characters',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    if (!healthy) {
      // The injected fault: nothing listens there, so every ledger request fails with a 5xx.
      env.DATABASE_URL = `postgresql://bank_api@${HOST}:${closedPort}/bank`;
      env.MIGRATE_ON_START = 'false';
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'services/bank-api/src/main.ts')],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const baseUrl = `http://${HOST}:${port}`;
    await waitForHttp(`${baseUrl}/livez`, 120_000, child);
    return new ApiProcess(baseUrl, `${HOST}:${metricsPort}`, healthy, child);
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

/** Steady API traffic (account listings of one customer) against each process, until stopped. */
export class Load {
  private stopped = false;
  readonly statuses = new Map<number, number>();

  constructor(
    private readonly processes: readonly ApiProcess[],
    private readonly perSecond: number,
  ) {}

  async run(): Promise<void> {
    const tokens = await Promise.all(
      this.processes.map(async (p) => {
        const res = await fetch(`${p.baseUrl}/v1/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId: 'canary-drill' }),
        });
        return ((await res.json()) as { token: string }).token;
      }),
    );
    while (!this.stopped) {
      await Promise.all(
        this.processes.map(async (p, i) => {
          const res = await fetch(`${p.baseUrl}/v1/accounts`, {
            headers: { authorization: `Bearer ${tokens[i]}` },
          }).catch(() => undefined);
          if (res) {
            await res.arrayBuffer();
            this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 1000 / this.perSecond));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}

/** The forward proxy that lets the controller reach the drill's Prometheus under its in-cluster name. */
export const prometheusProxy = (target: string): Promise<{ url: string; server: Server }> =>
  startPrometheusProxy(target, HOST);
