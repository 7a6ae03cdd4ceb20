import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { RuleGroup, ScrapeEndpoint } from './monitoring-sources.js';

// The configuration files of the local Prometheus and Alertmanager, written into one folder:
//   prometheus.yml, rules.yml          scrape jobs (file_sd) and the rendered rule groups
//   targets/<job>/<target>.json        file_sd target groups; Prometheus watches the folder, so a
//                                      target added later (a canary, a controller) needs no restart
//   alertmanager.yml                   the chart's routing, receivers pointed at the local webhook

type Obj = Record<string, unknown>;

/** A scrape job: the ServiceMonitor endpoints as the operator configures them, or a plain job. */
export interface ScrapeJob {
  readonly jobName: string;
  readonly interval: string;
  readonly scrapeTimeout: string;
  readonly path: string;
  readonly scheme: string;
  /** Keep the scraped series' own labels (namespace, ...) over the target's (ServiceMonitor honorLabels). */
  readonly honorLabels?: boolean;
}

/** One scraped process: its address and the labels its pod would carry (pod, and per-job labels). */
export interface Target {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PrometheusFiles {
  readonly dir: string;
  readonly jobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly externalLabels: Readonly<Record<string, string>>;
  /** The operator's default evaluation interval (prometheusSpec.evaluationInterval is not set). */
  readonly evaluationInterval: string;
  readonly alertmanagerAddress: string;
}

/** File-system safe name of a job's target folder. */
export const jobFolder = (jobName: string): string => jobName.replace(/[^A-Za-z0-9_.-]+/g, '_');

export function targetsDir(dir: string, jobName: string): string {
  return join(dir, 'targets', jobFolder(jobName));
}

export function prometheusConfig(files: PrometheusFiles): Obj {
  return {
    global: {
      scrape_interval: '30s',
      evaluation_interval: files.evaluationInterval,
      external_labels: files.externalLabels,
    },
    rule_files: [join(files.dir, 'rules.yml')],
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [files.alertmanagerAddress] }], api_version: 'v2' }],
    },
    scrape_configs: files.jobs.map((job) => scrapeConfig(files.dir, job)),
  };
}

const scrapeConfig = (dir: string, job: ScrapeJob): Obj => ({
  job_name: job.jobName,
  scrape_interval: job.interval,
  scrape_timeout: job.scrapeTimeout,
  metrics_path: job.path,
  scheme: job.scheme,
  ...(job.honorLabels ? { honor_labels: true } : {}),
  file_sd_configs: [{ files: [join(targetsDir(dir, job.jobName), '*.json')] }],
});

/**
 * Adds a scrape job to a written prometheus.yml (a component that comes later, such as the Argo
 * Rollouts controller); the caller then asks Prometheus to reload (POST /-/reload). Existing jobs of
 * the same name are replaced.
 */
export function addScrapeJob(dir: string, job: ScrapeJob): void {
  const file = join(dir, 'prometheus.yml');
  const config = parse(readFileSync(file, 'utf8')) as { scrape_configs?: Obj[] };
  config.scrape_configs = [
    ...(config.scrape_configs ?? []).filter((c) => c.job_name !== job.jobName),
    scrapeConfig(dir, job),
  ];
  mkdirSync(targetsDir(dir, job.jobName), { recursive: true });
  writeFileSync(file, stringify(config, { lineWidth: 0 }));
}

export function writePrometheusFiles(files: PrometheusFiles): void {
  mkdirSync(files.dir, { recursive: true });
  for (const job of files.jobs) mkdirSync(targetsDir(files.dir, job.jobName), { recursive: true });
  writeFileSync(join(files.dir, 'rules.yml'), stringify({ groups: files.ruleGroups }, { lineWidth: 0 }));
  writeFileSync(join(files.dir, 'prometheus.yml'), stringify(prometheusConfig(files), { lineWidth: 0 }));
}

/**
 * Adds (or replaces) a target of a ServiceMonitor endpoint or plain job: `pod` names it, the
 * endpoint's labels come with it. Written to a temporary file and renamed, so Prometheus never
 * reads half a file.
 */
export function writeTarget(
  dir: string,
  job: ScrapeJob & { labels?: Readonly<Record<string, string>> },
  target: Target,
) {
  const folder = targetsDir(dir, job.jobName);
  mkdirSync(folder, { recursive: true });
  const name = jobFolder(target.labels.pod ?? target.address);
  const group = [{ targets: [target.address], labels: { ...(job.labels ?? {}), ...target.labels } }];
  const file = join(folder, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(group));
  renameSync(`${file}.tmp`, file);
}

export function removeTarget(dir: string, jobName: string, pod: string): void {
  rmSync(join(targetsDir(dir, jobName), `${jobFolder(pod)}.json`), { force: true });
}

/** A ServiceMonitor endpoint is a scrape job whose targets carry its labels. */
export const endpointJob = (
  endpoint: ScrapeEndpoint,
): ScrapeJob & { labels: Readonly<Record<string, string>> } => endpoint;

const RECEIVER_CONFIG_KEYS = /_configs$/;

/**
 * The chart's Alertmanager configuration with every notifying receiver (SNS, and whatever else a
 * receiver integrates with) replaced by a webhook to `webhookBase`/<receiver name>, keeping its
 * send_resolved. The route tree, grouping, timers and inhibitions stay exactly as configured.
 */
export function localAlertmanagerConfig(config: Obj, webhookBase: string): Obj {
  const receivers = (config.receivers ?? []) as Obj[];
  return {
    ...config,
    receivers: receivers.map((receiver) => {
      const integrations = Object.entries(receiver).filter(([k]) => RECEIVER_CONFIG_KEYS.test(k));
      if (integrations.length === 0) return receiver;
      const sendResolved = integrations.some(([, list]) =>
        (list as Obj[]).some((entry) => entry.send_resolved !== false),
      );
      return {
        name: receiver.name,
        webhook_configs: [
          { url: `${webhookBase}/${encodeURIComponent(String(receiver.name))}`, send_resolved: sendResolved },
        ],
      };
    }),
  };
}

export function writeAlertmanagerFiles(dir: string, config: Obj): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config, { lineWidth: 0 }));
}
