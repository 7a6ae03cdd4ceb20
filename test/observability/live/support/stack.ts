import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AlertReceiver, startAlertReceiver } from '../../../../scripts/local/alert-receiver.js';
import { startKubeletProbes } from '../../../../scripts/local/kubelet-probes.js';
import {
  ALERTMANAGER_BINARY,
  addPodTarget,
  endpointFor,
  type MonitoringPlan,
  planMonitoring,
  waitReady,
} from '../../../../scripts/local/monitoring.js';
import {
  containerProbes,
  type RuleGroup,
  workloadObjects,
} from '../../../../scripts/local/monitoring-sources.js';
import { which } from '../../../../scripts/local/shell.js';
import {
  migrateAsOwner,
  serviceRolePassword,
  startTestService,
  type TestService,
  withLogin,
} from '../../../../services/bank-api/test/support/harness.js';
import {
  findPostgresBinDir,
  freePort,
  type PostgresServer,
  startPostgres,
} from '../../../support/postgres.js';

// One live observability stack per test file: a real PostgreSQL, bank-api on it (logged in as its
// own role, as on EKS), the kubelet's probe calls, and Prometheus, Alertmanager and the alert
// receiver configured by scripts/local/monitoring.ts, the module `npm run local:up` uses. bank-api
// is registered as a pod behind the rendered ServiceMonitor, so every series carries its labels.

export const HOST = '127.0.0.1';
export const ENV = 'dev';
/** The Service bank-api's ServiceMonitor selects; the test's bank-api is its one pod. */
const METRICS_SERVICE = 'bank-api-metrics';

/** Whether the engines are here; REQUIRE_TOOLS=1 (.ci/run) turns a missing one into a failure. */
export function liveStackAvailable(suite: string): boolean {
  const missing = [
    which('prometheus') ? undefined : "prometheus (npm run tools:install: Debian's package)",
    existsSync(ALERTMANAGER_BINARY) ? undefined : `${ALERTMANAGER_BINARY} (npm run alertmanager:build)`,
    findPostgresBinDir() ? undefined : 'PostgreSQL server binaries (the postgresql package)',
  ].filter((m): m is string => m !== undefined);
  if (missing.length === 0) return true;
  if (process.env.REQUIRE_TOOLS === '1') throw new Error(`${suite} needs ${missing.join(', ')}`);
  console.warn(`\n*** ${suite} SKIPPED: missing ${missing.join(', ')} ***\n`);
  return false;
}

export interface LiveStack {
  readonly plan: MonitoringPlan;
  readonly postgres: PostgresServer;
  readonly service: TestService;
  readonly receiver: AlertReceiver;
  readonly dir: string;
  stop(): Promise<void>;
}

function child(dir: string, name: string, command: string, args: readonly string[]): ChildProcess {
  const fd = openSync(join(dir, `${name}.log`), 'a');
  try {
    return spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

export async function startLiveStack(
  options: { ruleGroups?: readonly RuleGroup[] } = {},
): Promise<LiveStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bank-live-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const postgres = await startPostgres();
    cleanups.push(() => postgres.destroy());
    await migrateAsOwner(postgres.url);
    const service = await startTestService({
      databaseUrl: withLogin(postgres.url, 'bank_api', await serviceRolePassword(postgres.url)),
      ownerUrl: postgres.url,
    });
    cleanups.push(() => service.close());

    const receiver = await startAlertReceiver(HOST, 0);
    cleanups.push(() => receiver.close());
    const ports = {
      prometheus: await freePort(),
      alertmanager: await freePort(),
      receiver: Number(new URL(receiver.url).port),
    };
    const plan = planMonitoring({
      env: ENV,
      dir,
      host: HOST,
      ports,
      ...(options.ruleGroups ? { ruleGroups: options.ruleGroups } : {}),
    });
    for (const command of [plan.alertmanager, plan.prometheus]) {
      const p = child(dir, command.name, command.command, command.args);
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      );
      await waitReady(command, () => p.exitCode === null);
    }

    const endpoint = endpointFor(plan, METRICS_SERVICE);
    addPodTarget(dir, endpoint, 'bank-api-live-0', new URL(service.server.metricsUrl).host);
    const probes = containerProbes(
      workloadObjects(ENV),
      endpoint.labels.namespace ?? '',
      endpoint.labels.container ?? '',
    );
    cleanups.push(startKubeletProbes(service.server.url, [probes.readiness, probes.liveness]));
    return { plan, postgres, service, receiver, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
