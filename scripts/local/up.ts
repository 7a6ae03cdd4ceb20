import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootApplication } from '../../argocd/applications.js';
import { bootstrapProject } from '../../argocd/projects.js';
import { loadEnvironment, withGitopsRepoUrl } from '../../platform/config/index.js';
import { localArgoCdConfig } from './argocd-config.js';
import { argoCdComponents, argoCdEnvironment, componentBinary } from './argocd-processes.js';
import { waitForBootstrap } from './bootstrap-status.js';
import { defaultImage, gitServerCertificate, prepareGitRepository } from './git-repository.js';
import { applyObjects } from './kube.js';
import {
  ARGOCD_DATA_DIR,
  CLUSTER_SCRIPTS_DIR,
  HOST,
  KUBECONFIG_PATH,
  LOCAL_REPO_URL,
  LOGS_DIR,
  PORTS,
  REPO_ROOT,
} from './layout.js';
import { startLocalMonitoring } from './monitoring-up.js';
import { openDenyWindows } from './open-windows.js';
import { portOpen, type StartedProcess, startDetached, waitForPort } from './processes.js';
import { sh, which } from './shell.js';
import { type LocalState, writeState } from './state.js';

// `npm run local:up`: the whole platform on one machine, each step timed. A failing step names
// itself; the caller (cli.ts) then stops whatever was started.

export class StepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepError';
  }
}

export interface UpOptions {
  readonly env: string;
  /** bank-api image to publish first; default a digest derived from HEAD (nothing pulls it locally). */
  readonly image?: string;
  readonly timeoutSeconds: number;
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`local:up: ${name} ...`);
  try {
    const result = await work();
    process.stdout.write(` ok (${seconds(t0)}s)\n`);
    return result;
  } catch (error) {
    process.stdout.write(` FAILED (${seconds(t0)}s)\n`);
    throw new StepError(name, error);
  }
}

function ensureRedis(): void {
  if (which('redis-server')) return;
  if (process.getuid?.() === 0 && which('apt-get')) {
    sh('apt-get', ['update', '-q']);
    sh('apt-get', ['install', '-y', '-q', 'redis-server']);
    return;
  }
  throw new Error(
    "redis-server is missing: install Debian's redis-server package (apt-get install redis-server)",
  );
}

async function checkPortsFree(): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(PORTS)) {
    if (await portOpen(HOST, port)) busy.push(`${port} (${name})`);
  }
  if (busy.length > 0) throw new Error(`ports in use on ${HOST}: ${busy.join(', ')}; stop what holds them`);
}

function kubernetesServer(): string {
  const text = existsSync(KUBECONFIG_PATH) ? readFileSync(KUBECONFIG_PATH, 'utf8') : '';
  return /server:\s*(\S+)/.exec(text)?.[1] ?? '(unknown)';
}

/** A long-running role of cli.ts, started detached under the same Node.js with tsx. */
const cliRole = (role: string): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'local', 'cli.ts'), role],
];

export async function up(options: UpOptions): Promise<LocalState> {
  const started = Date.now();
  const env = withGitopsRepoUrl(loadEnvironment(options.env), LOCAL_REPO_URL);
  const image = options.image ?? defaultImage(env);
  mkdirSync(LOGS_DIR, { recursive: true });
  const state: LocalState = {
    env: env.name,
    startedAt: new Date().toISOString(),
    processes: [],
    urls: {},
    image,
  };
  writeState(state);
  const start = (
    name: string,
    command: string,
    args: readonly string[],
    processEnv: NodeJS.ProcessEnv,
    cwd?: string,
  ) => {
    const p: StartedProcess = startDetached(name, command, args, processEnv, cwd);
    state.processes.push(p);
    writeState(state);
    return p;
  };
  const build = (script: string) =>
    sh('bash', [join(CLUSTER_SCRIPTS_DIR, script)], { log: join(LOGS_DIR, 'build.log') });

  await step('ports free', checkPortsFree);
  await step('redis-server installed', ensureRedis);
  await step('build the control plane (skipped when up to date)', () => build('build.sh'));
  await step('build Argo CD (skipped when up to date)', () => build('build-argocd.sh'));
  // cluster:up runs the Argo Rollouts controller beside the control plane (bank-api is a Rollout).
  await step('build Argo Rollouts (skipped when up to date)', () => build('build-rollouts.sh'));
  await step('HTTP proxy for the Rollouts controller to the local Prometheus', async () => {
    const [node, args] = cliRole('prometheus-proxy');
    await waitForPort(
      start('prometheus-proxy', node, args, process.env, REPO_ROOT),
      HOST,
      PORTS.prometheusProxy,
    );
  });
  // The controller (started by cluster:up) queries the AnalysisTemplate's in-cluster Prometheus
  // address through that proxy, which reaches only the Prometheus local:up starts below.
  process.env.ROLLOUTS_CONTROLLER_ENV = `HTTP_PROXY=http://${HOST}:${PORTS.prometheusProxy} NO_PROXY=${HOST},localhost`;
  await step('control plane (cluster:up)', () => build('up.sh'));

  const tls = await step('TLS certificate for the Git server', gitServerCertificate);
  const webhookSecret = randomBytes(24).toString('hex');
  const commit = await step(`publish ${env.name} to the local manifests branch`, () =>
    prepareGitRepository(env, image, webhookSecret),
  );
  console.log(`local:up:   manifests branch at ${commit}, image ${image}`);
  await step('Git server (https)', async () => {
    const [node, args] = cliRole('serve-git');
    await waitForPort(start('git-server', node, args, process.env, REPO_ROOT), HOST, PORTS.git);
  });
  await step('Redis', async () => {
    const args = ['--bind', HOST, '--port', String(PORTS.redis), '--save', '', '--appendonly', 'no'];
    await waitForPort(start('redis', 'redis-server', args, process.env), HOST, PORTS.redis);
  });

  const argoConfig = await step('Argo CD configuration from argocd/values*.yaml', () => {
    const config = localArgoCdConfig(env.name, readFileSync(tls.cert, 'utf8'), webhookSecret);
    applyObjects(config.objects, 'local-up');
    return config;
  });
  state.adminPassword = argoConfig.adminPassword;
  const argoEnv = argoCdEnvironment(argoConfig.cm);
  // The kubelet projects argocd-tls-certs-cm into the repo-server's file system; here it is a file.
  writeFileSync(join(ARGOCD_DATA_DIR, 'tls', HOST), readFileSync(tls.cert));
  for (const component of argoCdComponents()) {
    await step(`Argo CD ${component.name.replace('argocd-', '')}`, async () => {
      const p = start(component.name, componentBinary(component), component.args, argoEnv, ARGOCD_DATA_DIR);
      if (component.port !== undefined) await waitForPort(p, HOST, component.port);
    });
  }
  await step('stand-ins for the absent AWS controllers (status only)', () => {
    const [node, args] = cliRole('stand-in-controllers');
    start('absent-controllers', node, args, process.env, REPO_ROOT);
  });
  await step('root AppProject and Application (as the CDK cluster stack applies them)', () =>
    applyObjects([bootstrapProject(env).toJSON(), rootApplication(env).toJSON()], 'local-up'),
  );
  await step('bank-api', async () => {
    const main = join(REPO_ROOT, 'services/bank-api/src/main.ts');
    const apiEnv = {
      ...process.env,
      HOST,
      PORT: String(PORTS.bankApi),
      METRICS_PORT: String(PORTS.bankApiMetrics),
    };
    await waitForPort(
      start('bank-api', process.execPath, ['--import', 'tsx', main], apiEnv, REPO_ROOT),
      HOST,
      PORTS.bankApi,
      120_000,
    );
  });
  const monitoringUrls = await step('Prometheus and Alertmanager from the rendered manifests', () =>
    startLocalMonitoring(env.name, start),
  );
  // During a change freeze Argo CD holds the workloads until the window closes, as on EKS.
  const openWindows = openDenyWindows(env);
  state.openWindows = openWindows;
  for (const w of openWindows) {
    console.log(
      `local:up:   ${env.name} is in a deny sync window until ${w.closesAt} (${w.description ?? w.schedule}): Argo CD will not sync bank-${env.name} before then; break-glass: argocd app sync bank-${env.name}`,
    );
  }
  const report = await step(`Argo CD syncs the bootstrap of ${env.name}`, () =>
    waitForBootstrap(env, options.timeoutSeconds * 1000, openWindows.length > 0),
  );
  console.log(report);

  state.urls = {
    argocd: `http://${HOST}:${PORTS.argocdServer}`,
    bankApi: `http://${HOST}:${PORTS.bankApi}`,
    bankApiMetrics: `http://${HOST}:${PORTS.bankApiMetrics}/metrics`,
    kubernetes: kubernetesServer(),
    git: LOCAL_REPO_URL,
    ...monitoringUrls,
  };
  state.readyInSeconds = Number(seconds(started));
  writeState(state);
  return state;
}
