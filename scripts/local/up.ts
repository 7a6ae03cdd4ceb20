import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootApplication } from '../../charts/argocd/applications.js';
import { bootstrapProject } from '../../charts/argocd/projects.js';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import { type EnvironmentConfig, loadEnvironment, withGitopsRepoUrl } from '../../platform/config/index.js';
import { publishManifests } from '../manifests/publish.js';
import { localArgoCdConfig } from './argocd-config.js';
import { waitForBootstrap } from './bootstrap-status.js';
import { applyObjects } from './kube.js';
import {
  ARGOCD_BIN_DIR,
  ARGOCD_DATA_DIR,
  CHECKOUT_DIR,
  CLUSTER_SCRIPTS_DIR,
  GIT_REPOSITORY,
  HOST,
  K8S_BIN_DIR,
  KUBECONFIG_PATH,
  LOCAL_DIR,
  LOCAL_REMOTE,
  LOCAL_REPO_URL,
  LOGS_DIR,
  PORTS,
  REPO_ROOT,
  TLS_DIR,
} from './layout.js';
import { portOpen, type StartedProcess, startDetached, waitForPort } from './processes.js';
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

const started = Date.now();
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

function sh(command: string, args: readonly string[], options: { cwd?: string; log?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.error) throw result.error;
  if (options.log) writeFileSync(options.log, `${result.stdout}${result.stderr}`, { flag: 'a' });
  if (result.status !== 0) {
    const out = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${out}`);
  }
  return result.stdout.trim();
}

const which = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

function ensureRedis(): string {
  if (which('redis-server')) return 'present';
  if (process.getuid?.() === 0 && which('apt-get')) {
    sh('apt-get', ['update', '-q']);
    sh('apt-get', ['install', '-y', '-q', 'redis-server']);
    return 'installed from Debian';
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

function tlsCertificate(): { cert: string; key: string } {
  mkdirSync(TLS_DIR, { recursive: true });
  const cert = join(TLS_DIR, 'git-server.crt');
  const key = join(TLS_DIR, 'git-server.key');
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=bank-platform local Git server',
    '-addext',
    `subjectAltName=IP:${HOST}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** A stand-in digest for HEAD: no registry runs locally and the simulated nodes pull nothing. */
function defaultImage(env: EnvironmentConfig): string {
  const head = sh('git', ['rev-parse', 'HEAD']);
  const digest = createHash('sha256').update(`bank-api ${head}`).digest('hex');
  return `${env.bankApi.imageRepository}@sha256:${digest}`;
}

/**
 * The bare repository Argo CD reads, with the hook that sends Argo CD GitHub's push webhook, and a
 * clone of HEAD that publishes into it.
 */
function prepareGit(env: EnvironmentConfig, image: string, webhookSecret: string): string {
  rmSync(GIT_REPOSITORY, { recursive: true, force: true });
  rmSync(CHECKOUT_DIR, { recursive: true, force: true });
  sh('git', ['init', '--quiet', '--bare', GIT_REPOSITORY]);
  copyFileSync(
    join(REPO_ROOT, 'scripts/local/git-hooks/post-receive'),
    join(GIT_REPOSITORY, 'hooks/post-receive'),
  );
  writeFileSync(
    join(GIT_REPOSITORY, 'webhook.env'),
    [
      `ARGOCD_WEBHOOK_URL=http://${HOST}:${PORTS.argocdServer}/api/webhook`,
      `WEBHOOK_SECRET=${webhookSecret}`,
      `REPOSITORY_HTML_URL=${LOCAL_REPO_URL.replace(/\.git$/, '')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  sh('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, CHECKOUT_DIR]);
  sh('git', ['remote', 'set-url', 'origin', GIT_REPOSITORY], { cwd: CHECKOUT_DIR });
  // The caller's repository gets a remote for the local Git server, so the documented
  // `manifests:publish -- --push --remote local` reaches it.
  const remotes = sh('git', ['remote']).split('\n');
  sh('git', ['remote', remotes.includes(LOCAL_REMOTE) ? 'set-url' : 'add', LOCAL_REMOTE, GIT_REPOSITORY]);
  const result = publishManifests({ repo: CHECKOUT_DIR, env, image, push: true, remote: 'origin' });
  return result.commit ?? '(unchanged)';
}

export async function up(options: UpOptions): Promise<LocalState> {
  const baseEnv = loadEnvironment(options.env);
  const env = withGitopsRepoUrl(baseEnv, LOCAL_REPO_URL);
  const image = options.image ?? defaultImage(env);
  mkdirSync(LOGS_DIR, { recursive: true });
  const state: LocalState = {
    env: env.name,
    startedAt: new Date().toISOString(),
    clusterStarted: false,
    processes: [],
    urls: {},
    image,
  };
  writeState(state);
  const remember = (p: StartedProcess) => {
    state.processes.push(p);
    writeState(state);
    return p;
  };

  await step('ports free', checkPortsFree);
  await step('redis-server', ensureRedis);
  await step('build control plane (cluster:build; skipped when up to date)', () =>
    sh('bash', [join(CLUSTER_SCRIPTS_DIR, 'build.sh')], { log: join(LOGS_DIR, 'build.log') }),
  );
  await step('build Argo CD (skipped when up to date)', () =>
    sh('bash', [join(CLUSTER_SCRIPTS_DIR, 'build-argocd.sh')], { log: join(LOGS_DIR, 'build.log') }),
  );
  state.clusterStarted = true;
  writeState(state);
  await step('control plane (cluster:up)', () =>
    sh('bash', [join(CLUSTER_SCRIPTS_DIR, 'up.sh')], { log: join(LOGS_DIR, 'cluster-up.log') }),
  );
  const tls = await step('TLS certificate for the Git server', tlsCertificate);
  const webhookSecret = randomBytes(24).toString('hex');
  const commit = await step(`publish ${env.name} to the local manifests branch`, () =>
    prepareGit(env, image, webhookSecret),
  );
  console.log(`local:up:   manifests branch at ${commit}, image ${image}`);

  const cli = join(REPO_ROOT, 'scripts', 'local', 'cli.ts');
  const node = (args: string[]) => [process.execPath, ['--import', 'tsx', cli, ...args]] as const;
  await step('Git server (https)', async () => {
    const [cmd, args] = node(['serve-git']);
    const p = remember(startDetached('git-server', cmd, args, { ...process.env }, REPO_ROOT));
    await waitForPort(p, HOST, PORTS.git);
  });
  await step('Redis', async () => {
    const p = remember(
      startDetached(
        'redis',
        'redis-server',
        [
          '--bind',
          HOST,
          '--port',
          String(PORTS.redis),
          '--save',
          '',
          '--appendonly',
          'no',
          '--protected-mode',
          'yes',
        ],
        process.env,
      ),
    );
    await waitForPort(p, HOST, PORTS.redis);
  });

  const argoConfig = await step('Argo CD configuration from argocd/values*.yaml', () => {
    const config = localArgoCdConfig(env.name, readFileSync(tls.cert, 'utf8'), webhookSecret);
    applyObjects(config.objects, 'local-up');
    // The kubelet projects argocd-tls-certs-cm into the repo-server's file system; here it is a file.
    const tlsData = join(ARGOCD_DATA_DIR, 'tls');
    mkdirSync(tlsData, { recursive: true });
    writeFileSync(join(tlsData, HOST), readFileSync(tls.cert));
    return config;
  });
  state.adminPassword = argoConfig.adminPassword;

  const argoEnv: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: KUBECONFIG_PATH,
    PATH: `${ARGOCD_BIN_DIR}:${K8S_BIN_DIR}:${process.env.PATH ?? ''}`,
    // The components treat the kubeconfig as their own cluster (https://kubernetes.default.svc).
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_TLS_DATA_PATH: join(ARGOCD_DATA_DIR, 'tls'),
    ARGOCD_SSH_DATA_PATH: join(ARGOCD_DATA_DIR, 'ssh'),
    ARGOCD_GNUPGHOME: join(ARGOCD_DATA_DIR, 'gpg', 'keys'),
    ARGOCD_GPG_DATA_PATH: join(ARGOCD_DATA_DIR, 'gpg', 'source'),
    ARGOCD_GPG_ENABLED: 'false',
    // Git runs without the caller's ~/.gitconfig, as in the repo-server container.
    HOME: join(ARGOCD_DATA_DIR, 'home'),
    // The chart hands these argocd-cm keys to the components as environment variables; so do we.
    ...reconciliationEnv(argoConfig.cm),
  };
  for (const dir of ['ssh', 'gpg/keys', 'gpg/source', 'home'])
    mkdirSync(join(ARGOCD_DATA_DIR, dir), { recursive: true });
  const redis = `${HOST}:${PORTS.redis}`;
  const repoServer = `${HOST}:${PORTS.argocdRepoServer}`;
  const common = ['--loglevel', 'info', '--logformat', 'text', '--redis', redis];

  await step('Argo CD repo-server', async () => {
    const p = remember(
      startDetached(
        'argocd-repo-server',
        join(ARGOCD_BIN_DIR, 'argocd-repo-server'),
        [
          ...common,
          '--address',
          HOST,
          '--port',
          String(PORTS.argocdRepoServer),
          '--disable-tls',
          '--metrics-address',
          HOST,
          '--metrics-port',
          String(PORTS.argocdRepoServerMetrics),
        ],
        argoEnv,
        ARGOCD_DATA_DIR,
      ),
    );
    await waitForPort(p, HOST, PORTS.argocdRepoServer);
  });
  await step('Argo CD application-controller', () => {
    remember(
      startDetached(
        'argocd-application-controller',
        join(ARGOCD_BIN_DIR, 'argocd-application-controller'),
        [
          ...common,
          '--namespace',
          ARGOCD_NAMESPACE,
          '--repo-server',
          repoServer,
          '--repo-server-plaintext',
          '--metrics-port',
          String(PORTS.argocdControllerMetrics),
        ],
        argoEnv,
        ARGOCD_DATA_DIR,
      ),
    );
  });
  await step('Argo CD server (API and UI)', async () => {
    const p = remember(
      startDetached(
        'argocd-server',
        join(ARGOCD_BIN_DIR, 'argocd-server'),
        [
          ...common,
          '--namespace',
          ARGOCD_NAMESPACE,
          '--repo-server',
          repoServer,
          '--repo-server-plaintext',
          '--address',
          HOST,
          '--port',
          String(PORTS.argocdServer),
          '--insecure',
          '--metrics-address',
          HOST,
          '--metrics-port',
          String(PORTS.argocdServerMetrics),
        ],
        argoEnv,
        ARGOCD_DATA_DIR,
      ),
    );
    await waitForPort(p, HOST, PORTS.argocdServer);
  });
  await step('stand-ins for the absent AWS controllers (status only)', () => {
    const [cmd, args] = node(['stand-in-controllers']);
    remember(startDetached('absent-controllers', cmd, args, { ...process.env }, REPO_ROOT));
  });
  await step('root AppProject and Application (as the CDK cluster stack applies them)', () =>
    applyObjects([bootstrapProject(env).toJSON(), rootApplication(env).toJSON()], 'local-up'),
  );
  await step('bank-api', async () => {
    const p = remember(
      startDetached(
        'bank-api',
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'services/bank-api/src/main.ts')],
        {
          ...process.env,
          PORT: String(PORTS.bankApi),
          METRICS_PORT: String(PORTS.bankApiMetrics),
          HOST,
        },
        REPO_ROOT,
      ),
    );
    await waitForPort(p, HOST, PORTS.bankApi, 120_000);
  });
  const report = await step(`Argo CD syncs the bootstrap of ${env.name}`, () =>
    waitForBootstrap(env, options.timeoutSeconds * 1000),
  );
  console.log(report);

  state.urls = {
    argocd: `http://${HOST}:${PORTS.argocdServer}`,
    bankApi: `http://${HOST}:${PORTS.bankApi}`,
    bankApiMetrics: `http://${HOST}:${PORTS.bankApiMetrics}/metrics`,
    kubernetes: kubernetesServer(),
    git: LOCAL_REPO_URL,
  };
  state.readyInSeconds = Number(seconds(started));
  writeState(state);
  return state;
}

/** The argocd-cm keys the chart passes to the controller and repo-server as environment variables. */
function reconciliationEnv(cm: Readonly<Record<string, string>>): Record<string, string> {
  const fromCm: Record<string, string> = {
    ARGOCD_RECONCILIATION_TIMEOUT: 'timeout.reconciliation',
    ARGOCD_HARD_RECONCILIATION_TIMEOUT: 'timeout.hard.reconciliation',
    ARGOCD_RECONCILIATION_JITTER: 'timeout.reconciliation.jitter',
  };
  return Object.fromEntries(
    Object.entries(fromCm).flatMap(([variable, key]) => (cm[key] !== undefined ? [[variable, cm[key]]] : [])),
  );
}

function kubernetesServer(): string {
  const text = existsSync(KUBECONFIG_PATH) ? readFileSync(KUBECONFIG_PATH, 'utf8') : '';
  return /server:\s*(\S+)/.exec(text)?.[1] ?? '(unknown)';
}

export const localDirExists = () => existsSync(LOCAL_DIR);
