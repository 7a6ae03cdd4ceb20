import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARGO_ROLLOUTS } from '../../platform/config/workloads.js';
import { TOOLS_DIR } from './layout.js';
import {
  addScrapeJob,
  localAlertmanagerConfig,
  type ScrapeJob,
  writeAlertmanagerFiles,
  writePrometheusFiles,
  writeTarget,
} from './monitoring-config.js';
import {
  alertmanagerConfig,
  bootstrapObjects,
  externalLabels,
  kubePrometheusStackValues,
  prometheusRuleGroups,
  type RuleGroup,
  type ScrapeEndpoint,
  serviceMonitorEndpoints,
  workloadObjects,
} from './monitoring-sources.js';
import { which } from './shell.js';

// The local Prometheus and Alertmanager of the platform (`npm run local:up`) and of the live
// observability tests (test/observability/live), configured from the rendered manifests:
// - Prometheus (Debian's package, installed by `npm run tools:install`) loads every PrometheusRule of
//   manifests/<env> and scrapes through file_sd with the labels the ServiceMonitors would give;
// - Alertmanager (built by `npm run alertmanager:build`) routes as kube-prometheus-stack's values say,
//   every notifying receiver replaced by a webhook to the local alert receiver (alert-receiver.ts).
// Callers start the processes their own way (local:up detached, tests as children) from the plans here.

/** prometheus-operator's default evaluation interval; prometheusSpec.evaluationInterval is not set. */
export const OPERATOR_EVALUATION_INTERVAL = '30s';

export const ALERTMANAGER_BINARY = join(TOOLS_DIR, 'alertmanager', 'bin', 'alertmanager');

export function prometheusBinary(): string {
  if (!which('prometheus')) {
    throw new Error("prometheus is not installed: run 'npm run tools:install' (Debian's prometheus package)");
  }
  return 'prometheus';
}

export function alertmanagerBinary(): string {
  if (!existsSync(ALERTMANAGER_BINARY)) {
    throw new Error(`${ALERTMANAGER_BINARY} is missing: run 'npm run alertmanager:build'`);
  }
  return ALERTMANAGER_BINARY;
}

export interface MonitoringOptions {
  readonly env: string;
  /** Folder for configuration, targets and the two servers' data. */
  readonly dir: string;
  readonly host: string;
  readonly ports: { readonly prometheus: number; readonly alertmanager: number; readonly receiver: number };
  /** Rule groups to load instead of the rendered ones (tests with short windows, from the same rule code). */
  readonly ruleGroups?: readonly RuleGroup[];
}

export interface Command {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** GET this until it answers 200 before relying on the process. */
  readonly readyUrl: string;
}

export interface MonitoringPlan {
  readonly prometheus: Command;
  readonly alertmanager: Command;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Where Alertmanager delivers: <receiverUrl>/<receiver name>. */
  readonly receiverUrl: string;
  /** The ServiceMonitor endpoints of the environment, each a scrape job. */
  readonly endpoints: readonly ScrapeEndpoint[];
  /** Scrape jobs for processes without a rendered ServiceMonitor (Argo CD's and Argo Rollouts' metrics endpoints). */
  readonly extraJobs: readonly (ScrapeJob & { labels: Readonly<Record<string, string>> })[];
  readonly ruleGroups: readonly RuleGroup[];
  /** Alertmanager's configuration as written (the chart's routing, local receivers). */
  readonly alertmanagerConfig: Readonly<Record<string, unknown>>;
}

/**
 * Argo CD's metrics endpoints, labelled as the argo-cd chart's ServiceMonitors label them (service
 * `argocd-<component>-metrics`, port `http-metrics`, job the service name, no jobLabel). Those
 * ServiceMonitors are switched off in argocd/values.yaml today, so on EKS nobody scrapes these yet.
 */
export const ARGOCD_METRICS_SERVICES = [
  'argocd-application-controller-metrics',
  'argocd-server-metrics',
  'argocd-repo-server-metrics',
] as const;

export function argoCdJobs(namespace: string): (ScrapeJob & { labels: Readonly<Record<string, string>> })[] {
  return ARGOCD_METRICS_SERVICES.map((service) => ({
    jobName: `serviceMonitor/${namespace}/${service.replace(/-metrics$/, '')}/0`,
    interval: '30s',
    scrapeTimeout: '10s',
    path: '/metrics',
    scheme: 'http',
    labels: { namespace, service, job: service, endpoint: 'http-metrics' },
  }));
}

/**
 * The Argo Rollouts controller's metrics endpoint, labelled as the argo-rollouts chart's ServiceMonitor
 * would label it (service `argo-rollouts-metrics`, port `metrics`, job the service name). Its series
 * carry the Rollout's own namespace, which the rollouts dashboard selects on, so the scrape keeps
 * them (honorLabels) instead of renaming them exported_namespace. That ServiceMonitor is not switched
 * on in argocd/rollouts-values.ts today, so on EKS nobody scrapes the controller yet.
 */
export const ROLLOUTS_METRICS_SERVICE = 'argo-rollouts-metrics';

export function rolloutsControllerJob(
  namespace: string,
): ScrapeJob & { labels: Readonly<Record<string, string>> } {
  return {
    jobName: `serviceMonitor/${namespace}/${ROLLOUTS_METRICS_SERVICE.replace(/-metrics$/, '')}/0`,
    interval: '30s',
    scrapeTimeout: '10s',
    path: '/metrics',
    scheme: 'http',
    honorLabels: true,
    labels: {
      namespace,
      service: ROLLOUTS_METRICS_SERVICE,
      job: ROLLOUTS_METRICS_SERVICE,
      endpoint: 'metrics',
    },
  };
}

/** Writes every configuration file and returns how to start the two servers. */
export function planMonitoring(options: MonitoringOptions, argoCdNamespace?: string): MonitoringPlan {
  const { dir, host, ports } = options;
  const workloads = workloadObjects(options.env);
  const kps = kubePrometheusStackValues(bootstrapObjects(options.env));
  const endpoints = serviceMonitorEndpoints(workloads);
  const extraJobs = argoCdNamespace
    ? [...argoCdJobs(argoCdNamespace), rolloutsControllerJob(ARGO_ROLLOUTS.namespace)]
    : [];
  const ruleGroups = options.ruleGroups ?? prometheusRuleGroups(workloads);
  const prometheusUrl = `http://${host}:${ports.prometheus}`;
  const alertmanagerUrl = `http://${host}:${ports.alertmanager}`;
  const receiverUrl = `http://${host}:${ports.receiver}`;

  const promDir = join(dir, 'prometheus');
  writePrometheusFiles({
    dir: promDir,
    jobs: [...endpoints, ...extraJobs],
    ruleGroups,
    externalLabels: externalLabels(kps),
    evaluationInterval: OPERATOR_EVALUATION_INTERVAL,
    alertmanagerAddress: `${host}:${ports.alertmanager}`,
  });
  const amDir = join(dir, 'alertmanager');
  const routing = localAlertmanagerConfig(alertmanagerConfig(kps), receiverUrl);
  writeAlertmanagerFiles(amDir, routing);
  mkdirSync(join(promDir, 'data'), { recursive: true });
  mkdirSync(join(amDir, 'data'), { recursive: true });

  return {
    prometheus: {
      name: 'prometheus',
      command: prometheusBinary(),
      args: [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=${host}:${ports.prometheus}`,
        '--storage.tsdb.retention.time=2d',
        '--web.enable-lifecycle',
      ],
      readyUrl: `${prometheusUrl}/-/ready`,
    },
    alertmanager: {
      name: 'alertmanager',
      command: alertmanagerBinary(),
      args: [
        `--config.file=${join(amDir, 'alertmanager.yml')}`,
        `--storage.path=${join(amDir, 'data')}`,
        `--web.listen-address=${host}:${ports.alertmanager}`,
        // One peer: no gossip port (prod runs three replicas that gossip; one is enough to route).
        '--cluster.listen-address=',
      ],
      readyUrl: `${alertmanagerUrl}/-/ready`,
    },
    prometheusUrl,
    alertmanagerUrl,
    receiverUrl,
    endpoints,
    extraJobs,
    ruleGroups,
    alertmanagerConfig: routing,
  };
}

/** The ServiceMonitor endpoint that scrapes `service` (e.g. bank-api-metrics). */
export function endpointFor(plan: MonitoringPlan, service: string): ScrapeEndpoint {
  const found = plan.endpoints.find((e) => e.labels.service === service);
  if (!found) throw new Error(`no ServiceMonitor scrapes Service ${service}`);
  return found;
}

/** Registers a running process as a pod behind `service`'s ServiceMonitor endpoint (file_sd). */
export function addPodTarget(
  dir: string,
  endpoint: ScrapeEndpoint | MonitoringPlan['extraJobs'][number],
  pod: string,
  address: string,
) {
  writeTarget(join(dir, 'prometheus'), endpoint, { address, labels: { pod } });
}

/** Adds a scrape job to a running Prometheus of `dir` and reloads it (--web.enable-lifecycle is on). */
export async function addScrapeJobLive(dir: string, prometheusUrl: string, job: ScrapeJob): Promise<void> {
  addScrapeJob(join(dir, 'prometheus'), job);
  const response = await fetch(`${prometheusUrl}/-/reload`, { method: 'POST' });
  if (!response.ok) throw new Error(`Prometheus refused the new configuration: ${await response.text()}`);
}

export async function waitReady(command: Command, alive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${command.name} exited before it was ready`);
    try {
      const response = await fetch(command.readyUrl, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${command.name} was not ready at ${command.readyUrl} within ${timeoutMs / 1000}s`);
}
