import { join } from 'node:path';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import { ARGO_ROLLOUTS } from '../../platform/config/workloads.js';
import { startAlertReceiver } from './alert-receiver.js';
import { startKubeletProbes } from './kubelet-probes.js';
import {
  HOST,
  LOGS_DIR,
  MONITORING_DIR,
  PORTS,
  REPO_ROOT,
  ROLLOUTS_CONTROLLER_METRICS_PORT,
} from './layout.js';
import {
  addPodTarget,
  argoCdJobs,
  endpointFor,
  planMonitoring,
  rolloutsControllerJob,
  waitReady,
} from './monitoring.js';
import { containerProbes, serviceMonitorEndpoints, workloadObjects } from './monitoring-sources.js';
import { servePods } from './pod-processes.js';
import { isAlive, type StartedProcess, waitForPort } from './processes.js';
import { sh } from './shell.js';

// The monitoring part of `npm run local:up`: Prometheus, Alertmanager and the alert receiver, with
// the local bank-api, Argo CD's and the Argo Rollouts controller's metrics endpoints as file_sd
// targets; the Rollout's simulated pods get theirs while they exist (pod-processes.ts).

type Start = (
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
) => StartedProcess;

/** The Service bank-api's ServiceMonitor selects; the local process is its one pod. */
const BANK_API_METRICS_SERVICE = 'bank-api-metrics';
export const LOCAL_BANK_API_POD = 'bank-api-local-0';
export const ALERT_JOURNAL = join(LOGS_DIR, 'alerts.jsonl');

const ARGOCD_METRICS_PORTS: Record<string, number> = {
  'argocd-application-controller-metrics': PORTS.argocdControllerMetrics,
  'argocd-server-metrics': PORTS.argocdServerMetrics,
  'argocd-repo-server-metrics': PORTS.argocdRepoServerMetrics,
};

export async function startLocalMonitoring(env: string, start: Start): Promise<Record<string, string>> {
  const plan = planMonitoring(
    {
      env,
      dir: MONITORING_DIR,
      host: HOST,
      ports: {
        prometheus: PORTS.prometheus,
        alertmanager: PORTS.alertmanager,
        receiver: PORTS.alertReceiver,
      },
    },
    ARGOCD_NAMESPACE,
  );
  // Skipped when the binary matches the pinned module (test/observability/alertmanager).
  sh('bash', [join(REPO_ROOT, 'test/observability/alertmanager/build.sh')], {
    log: join(LOGS_DIR, 'build.log'),
  });
  const helpers = start(
    'monitoring-helpers',
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts/local/cli.ts'), 'monitoring-helpers', '--env', env],
    process.env,
    REPO_ROOT,
  );
  await waitForPort(helpers, HOST, PORTS.alertReceiver);
  for (const command of [plan.alertmanager, plan.prometheus]) {
    const p = start(command.name, command.command, command.args, process.env, MONITORING_DIR);
    await waitReady(command, () => isAlive(p.pid));
  }
  addPodTarget(
    MONITORING_DIR,
    endpointFor(plan, BANK_API_METRICS_SERVICE),
    LOCAL_BANK_API_POD,
    `${HOST}:${PORTS.bankApiMetrics}`,
  );
  for (const job of argoCdJobs(ARGOCD_NAMESPACE)) {
    const service = job.labels.service ?? '';
    addPodTarget(
      MONITORING_DIR,
      job,
      `${service.replace(/-metrics$/, '')}-local-0`,
      `${HOST}:${ARGOCD_METRICS_PORTS[service]}`,
    );
  }
  const rollouts = rolloutsControllerJob(ARGO_ROLLOUTS.namespace);
  addPodTarget(
    MONITORING_DIR,
    rollouts,
    'argo-rollouts-local-0',
    `${HOST}:${ROLLOUTS_CONTROLLER_METRICS_PORT}`,
  );
  return {
    prometheus: plan.prometheusUrl,
    alertmanager: plan.alertmanagerUrl,
    alertReceiver: `${plan.receiverUrl}/deliveries`,
  };
}

/**
 * The long-running helpers of the local monitoring (cli.ts role `monitoring-helpers`): the alert
 * receiver (Alertmanager's webhooks, journalled to .tools/local/logs/alerts.jsonl) and the kubelet's
 * probe calls against the local bank-api, on the rendered Deployment's schedule, and the processes
 * that serve the Rollout's simulated pods (pod-processes.ts).
 */
export async function runMonitoringHelpers(env: string): Promise<never> {
  await startAlertReceiver(HOST, PORTS.alertReceiver, ALERT_JOURNAL);
  const objects = workloadObjects(env);
  const endpoint = serviceMonitorEndpoints(objects).find(
    (e) => e.labels.service === BANK_API_METRICS_SERVICE,
  );
  if (!endpoint) throw new Error(`no ServiceMonitor scrapes Service ${BANK_API_METRICS_SERVICE}`);
  const probes = containerProbes(objects, endpoint.labels.namespace ?? '', endpoint.labels.container ?? '');
  startKubeletProbes(`http://${HOST}:${PORTS.bankApi}`, [probes.readiness, probes.liveness]);
  return servePods(endpoint);
}
