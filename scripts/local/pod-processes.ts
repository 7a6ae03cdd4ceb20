import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BANK_API } from '../../platform/config/workloads.js';
import { kubectlJson } from './kube.js';
import { HOST, LOCAL_DIR, LOGS_DIR, MONITORING_DIR, REPO_ROOT } from './layout.js';
import { removeTarget, writeTarget } from './monitoring-config.js';
import type { ScrapeEndpoint } from './monitoring-sources.js';

// kwok simulates bank-api's pods: the API server has them, nothing runs them. This module stands in
// for the kubelet and the container runtime of those pods (stable and canary alike) while
// `npm run local:up` runs, inside its monitoring-helpers process:
// - for every bank-api pod of the Rollout it starts one real bank-api process (its own embedded
//   database, as the pod's own process) and registers a Prometheus target labelled with the pod's
//   name and the ServiceMonitor's labels, which is what the operator's relabelling gives a pod;
//   when the pod goes, the process stops and the target goes;
// - it stands in for the users behind the Service: the same steady request rate to every pod, as
//   kube-proxy spreads a Service's traffic evenly over its endpoints (dev's canary is weighted by
//   replica count, so the canary's share is its share of the pods).
// One process per pod, not per revision: each pod's series are then its own, so sums on the
// dashboards count every request once and the canary's analysis reads exactly its pods.
// Fault injection (tests): images listed in FAULTS_FILE start with a database that refuses
// connections, so their ledger requests fail with 5xx (the canary drill's fault).

/** Images whose pods get the injected fault: {"faultyImages": ["...@sha256:..."]}. */
export const FAULTS_FILE = join(LOCAL_DIR, 'faults.json');
/** The pods being served, for people and tests: pod -> image, revision, URLs. */
export const POD_PROCESSES_FILE = join(LOCAL_DIR, 'pods.json');
const POD_LOGS_DIR = join(LOGS_DIR, 'pods');
const REQUESTS_PER_SECOND_PER_POD = 2;
const DEV_AUTH_SECRET = 'local-platform-pods-secret-of-at-least-32-characters';

export interface PodProcessInfo {
  readonly image: string;
  readonly revision: string;
  readonly faulty: boolean;
  readonly apiUrl: string;
  readonly metricsAddress: string;
}

interface LivePod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string }[] };
}

interface Served extends PodProcessInfo {
  readonly child: ChildProcess;
  ready: boolean;
  token?: string;
}

export function faultyImages(): string[] {
  if (!existsSync(FAULTS_FILE)) return [];
  return (JSON.parse(readFileSync(FAULTS_FILE, 'utf8')) as { faultyImages?: string[] }).faultyImages ?? [];
}

export function readPodProcesses(): Record<string, PodProcessInfo> {
  if (!existsSync(POD_PROCESSES_FILE)) return {};
  return JSON.parse(readFileSync(POD_PROCESSES_FILE, 'utf8')) as Record<string, PodProcessInfo>;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${file}.tmp`, file);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startPodProcess(
  pod: string,
  image: string,
  revision: string,
  faulty: boolean,
): Promise<Served> {
  const [port, metricsPort, closedPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    NODE_ENV: 'development',
    AUTH_MODE: 'dev',
    DEV_AUTH_SECRET,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.PGLITE_DATA_DIR;
  if (faulty) {
    // Nothing listens there: every request that needs the database fails with a 5xx.
    env.DATABASE_URL = `postgresql://bank_api@${HOST}:${closedPort}/bank`;
    env.MIGRATE_ON_START = 'false';
  }
  mkdirSync(POD_LOGS_DIR, { recursive: true });
  const fd = openSync(join(POD_LOGS_DIR, `${pod}.log`), 'a');
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'services/bank-api/src/main.ts')],
      { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd] },
    );
    return {
      image,
      revision,
      faulty,
      apiUrl: `http://${HOST}:${port}`,
      metricsAddress: `${HOST}:${metricsPort}`,
      child,
      ready: false,
    };
  } finally {
    closeSync(fd);
  }
}

async function waitLive(served: Served, timeoutMs = 180_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && served.child.exitCode === null) {
    const ok = await fetch(`${served.apiUrl}/livez`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return true;
    await sleep(500);
  }
  return false;
}

async function devToken(apiUrl: string): Promise<string | undefined> {
  const res = await fetch(`${apiUrl}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'local-platform-traffic' }),
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as { token: string }).token;
}

/** Runs until the process ends: follows the Rollout's pods every `pollMs`. */
export async function servePods(endpoint: ScrapeEndpoint, pollMs = 2000): Promise<never> {
  const namespace = endpoint.labels.namespace ?? BANK_API.namespace;
  const container = endpoint.labels.container ?? BANK_API.name;
  const served = new Map<string, Served>();
  const publish = () =>
    writeJson(
      POD_PROCESSES_FILE,
      Object.fromEntries(
        [...served].map(([pod, { child: _c, ready: _r, token: _t, ...info }]) => [pod, info]),
      ),
    );

  void (async () => {
    for (;;) {
      await Promise.all(
        [...served.values()]
          .filter((s) => s.ready && s.token)
          .map((s) =>
            fetch(`${s.apiUrl}/v1/accounts`, { headers: { authorization: `Bearer ${s.token}` } })
              .then((r) => r.arrayBuffer())
              .catch(() => undefined),
          ),
      );
      await sleep(1000 / REQUESTS_PER_SECOND_PER_POD);
    }
  })();

  for (;;) {
    let pods: LivePod[] = [];
    try {
      pods = kubectlJson<{ items: LivePod[] }>([
        'get',
        'pods',
        '-n',
        namespace,
        '-l',
        `app.kubernetes.io/name=${BANK_API.name},rollouts-pod-template-hash`,
      ]).items.filter((p) => !p.metadata.deletionTimestamp);
    } catch (error) {
      console.error(`pods: ${error instanceof Error ? error.message : String(error)}`);
    }
    const live = new Set(pods.map((p) => p.metadata.name));
    for (const [pod, s] of served) {
      if (live.has(pod)) continue;
      removeTarget(join(MONITORING_DIR, 'prometheus'), endpoint.jobName, pod);
      s.child.kill('SIGTERM');
      served.delete(pod);
      console.log(`pods: ${pod} gone, its process stopped`);
    }
    for (const pod of pods) {
      const name = pod.metadata.name;
      if (served.has(name)) continue;
      const image = pod.spec.containers.find((c) => c.name === container)?.image ?? '';
      const revision = pod.metadata.labels?.['rollouts-pod-template-hash'] ?? '';
      const s = await startPodProcess(name, image, revision, faultyImages().includes(image));
      served.set(name, s);
      console.log(`pods: ${name} (${image}${s.faulty ? ', fault injected' : ''}) starting at ${s.apiUrl}`);
      void waitLive(s).then(async (ok) => {
        if (!ok || served.get(name) !== s) return;
        s.token = await devToken(s.apiUrl);
        s.ready = true;
        writeTarget(join(MONITORING_DIR, 'prometheus'), endpoint, {
          address: s.metricsAddress,
          labels: { pod: name },
        });
        publish();
        console.log(`pods: ${name} serving, scraped as pod="${name}"`);
      });
    }
    publish();
    await sleep(pollMs);
  }
}
