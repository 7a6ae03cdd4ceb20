import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { environmentNames, loadEnvironment } from '../../platform/config/index.js';
import { runAbsentControllers } from './absent-controllers.js';
import { startGitServer } from './git-server.js';
import {
  CLUSTER_SCRIPTS_DIR,
  GIT_ROOT,
  HOST,
  KUBECONFIG_PATH,
  LOCAL_DIR,
  LOCAL_REMOTE,
  PORTS,
  TLS_DIR,
} from './layout.js';
import { runMonitoringHelpers } from './monitoring-up.js';
import { openDenyWindows } from './open-windows.js';
import { stopProcess } from './processes.js';
import { startPrometheusProxy } from './prometheus-proxy.js';
import { readState, runningProcesses } from './state.js';
import { StepError, up } from './up.js';

// npm run local:up [-- --env dev|prod] [--image <repository>@sha256:<digest>] [--timeout <seconds>]
// npm run local:status      JSON: the URLs, the kubeconfig, the processes
// npm run local:down        stops everything local:up started
// Exit 0: done. Exit 1: a step failed (named). Exit 2: bad arguments.

const USAGE = `usage: npm run local:up -- [--env <${environmentNames().join('|')}>] [--image <repository>@sha256:<digest>] [--timeout <seconds>]
       npm run local:status
       npm run local:down`;

class UsageError extends Error {}

function parseUp(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string', default: 'dev' },
      image: { type: 'string' },
      timeout: { type: 'string', default: '240' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!environmentNames().includes(values.env)) {
    throw new UsageError(`--env '${values.env}' is not an environment (${environmentNames().join(', ')})`);
  }
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new UsageError(`--timeout '${values.timeout}' is not a whole number of seconds`);
  return { env: values.env, timeoutSeconds: timeout, ...(values.image ? { image: values.image } : {}) };
}

function noArguments(command: string, argv: string[]): void {
  if (argv.length > 0) throw new UsageError(`${command} takes no arguments (got '${argv[0]}')`);
}

function status(): Record<string, unknown> | undefined {
  const state = readState();
  if (state === undefined) return undefined;
  const alive = new Set(runningProcesses(state).map((p) => p.pid));
  return {
    env: state.env,
    startedAt: state.startedAt,
    ready: state.readyInSeconds !== undefined,
    readyInSeconds: state.readyInSeconds,
    argocd: state.urls.argocd,
    argocdLogin: state.adminPassword
      ? { username: 'admin', password: state.adminPassword }
      : 'SSO only (the environment disables the local admin)',
    bankApi: state.urls.bankApi,
    bankApiMetrics: state.urls.bankApiMetrics,
    prometheus: state.urls.prometheus,
    alertmanager: state.urls.alertmanager,
    alertReceiver: state.urls.alertReceiver,
    kubernetes: state.urls.kubernetes,
    kubeconfig: KUBECONFIG_PATH,
    git: state.urls.git,
    gitRemote: LOCAL_REMOTE,
    image: state.image,
    openWindows: state.openWindows ?? [],
    processes: state.processes.map((p) => ({ ...p, running: alive.has(p.pid) })),
  };
}

async function down(): Promise<void> {
  const state = readState();
  for (const p of [...(state?.processes ?? [])].reverse()) await stopProcess(p.pid);
  const result = spawnSync('bash', [join(CLUSTER_SCRIPTS_DIR, 'down.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cluster:down failed: ${result.stderr}`);
  rmSync(LOCAL_DIR, { recursive: true, force: true });
  spawnSync('git', ['remote', 'remove', LOCAL_REMOTE], { stdio: 'ignore' });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'up': {
        const options = parseUp(rest);
        const current = readState();
        if (current && runningProcesses(current).length > 0) {
          console.log(
            `local:up: the local platform (${current.env}) is already running since ${current.startedAt}; nothing started.\n` +
              "  'npm run local:status' shows it, 'npm run local:down' stops it.",
          );
          return 0;
        }
        const t0 = Date.now();
        let state: Awaited<ReturnType<typeof up>>;
        try {
          state = await up(options);
        } catch (error) {
          console.error(`local:up failed at ${error instanceof Error ? error.message : String(error)}`);
          if (!(error instanceof StepError) && error instanceof Error) console.error(error.stack);
          console.error('local:up: stopping what was started (logs are in .tools/local/logs until then)');
          await down();
          return 1;
        }
        console.log(`\nlocal:up: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (${state.env})`);
        console.log(
          `  Argo CD API  ${state.urls.argocd}${state.adminPassword ? `  (admin / ${state.adminPassword})` : '  (SSO only in this environment)'}`,
        );
        console.log(
          `               .tools/argocd/bin/argocd login ${(state.urls.argocd ?? '').replace('http://', '')} --plaintext --username admin; argocd app get bank-${state.env}`,
        );
        console.log(`  bank-api     ${state.urls.bankApi}`);
        console.log(
          `  Prometheus   ${state.urls.prometheus}  (Alertmanager ${state.urls.alertmanager}, alerts delivered: ${state.urls.alertReceiver})`,
        );
        console.log(`  Kubernetes   ${state.urls.kubernetes}  (export KUBECONFIG=${KUBECONFIG_PATH})`);
        console.log(`  Git          ${state.urls.git}  (git remote '${LOCAL_REMOTE}' in this repository)`);
        console.log(
          `  deploy:      npm run manifests:publish -- --env ${state.env} --image <repository>@sha256:<digest> --push --remote ${LOCAL_REMOTE} --repo-url ${state.urls.git}`,
        );
        return 0;
      }
      case 'status': {
        noArguments('local:status', rest);
        const s = status();
        console.log(JSON.stringify(s ?? { running: false }, null, 2));
        return 0;
      }
      case 'down': {
        noArguments('local:down', rest);
        await down();
        console.log('local:down: stopped');
        return 0;
      }
      case 'open-windows': {
        // For .ci/run: the environment's deny sync windows open now, as JSON ([] when none).
        const { values } = parseArgs({ args: rest, options: { env: { type: 'string' } }, strict: true });
        if (!values.env || !environmentNames().includes(values.env)) {
          throw new UsageError(`open-windows needs --env <${environmentNames().join('|')}>`);
        }
        console.log(JSON.stringify(openDenyWindows(loadEnvironment(values.env))));
        return 0;
      }
      // Long-running roles started detached by `up`.
      case 'serve-git':
        await startGitServer({
          projectRoot: GIT_ROOT,
          host: HOST,
          port: PORTS.git,
          certFile: join(TLS_DIR, 'git-server.crt'),
          keyFile: join(TLS_DIR, 'git-server.key'),
        });
        return await new Promise<number>(() => {});
      case 'monitoring-helpers': {
        const { values } = parseArgs({ args: rest, options: { env: { type: 'string' } }, strict: true });
        return await runMonitoringHelpers(values.env ?? 'dev');
      }
      case 'stand-in-controllers':
        return await runAbsentControllers();
      case 'prometheus-proxy':
        await startPrometheusProxy(`http://${HOST}:${PORTS.prometheus}`, HOST, PORTS.prometheusProxy);
        return await new Promise<number>(() => {});
      default:
        throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`local: ${error.message}`);
      console.error(USAGE);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
