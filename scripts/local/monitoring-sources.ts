import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './layout.js';

// What the local Prometheus and Alertmanager are configured from: the rendered manifests, read back
// (never retyped). manifests/<env>/*.yaml hold the PrometheusRules, the ServiceMonitors with the
// Services they select, the Deployments (their probes) and the dashboard ConfigMaps;
// manifests/argocd/<env>/ holds the kube-prometheus-stack Application whose values carry
// Alertmanager's routing and Prometheus's external labels.

type Obj = Record<string, unknown>;
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  readonly spec?: Obj;
  readonly data?: Record<string, string>;
}

const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectsIn(dir: string): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as unknown))
    .filter((o): o is K8sObject => isObj(o) && typeof o.kind === 'string');
}

/** Every object of manifests/<env>/*.yaml (what Argo CD applies to the workload namespaces). */
export const workloadObjects = (env: string, root = MANIFESTS_DIR): K8sObject[] => objectsIn(join(root, env));

/** Every object of manifests/argocd/<env>/ (the bootstrap: projects and Applications). */
export const bootstrapObjects = (env: string, root = MANIFESTS_DIR): K8sObject[] =>
  objectsIn(join(root, 'argocd', env));

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string | number;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules?: readonly Rule[];
}

/** The rule groups of every PrometheusRule, as the operator hands them to Prometheus. */
export function prometheusRuleGroups(objects: readonly K8sObject[]): RuleGroup[] {
  return objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec?.groups ?? []) as RuleGroup[]);
}

export interface ScrapeEndpoint {
  /** The job name prometheus-operator gives the endpoint: serviceMonitor/<namespace>/<name>/<index>. */
  readonly jobName: string;
  readonly interval: string;
  readonly scrapeTimeout: string;
  readonly path: string;
  readonly scheme: string;
  /** Target labels the operator's relabelling sets, except pod (per target) and instance (the address). */
  readonly labels: Readonly<Record<string, string>>;
  /** The container port the endpoint names, on the pods the Service selects. */
  readonly containerPort: number;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Each ServiceMonitor endpoint with the labels prometheus-operator (v0.85) would put on its targets:
 * namespace, service, container, endpoint (the port name) and job (the Service's `jobLabel` label,
 * else the Service name). Prometheus's defaults for interval and timeout match the operator's.
 */
export function serviceMonitorEndpoints(objects: readonly K8sObject[]): ScrapeEndpoint[] {
  const services = objects.filter((o) => o.kind === 'Service');
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout');
  return objects
    .filter((o) => o.kind === 'ServiceMonitor')
    .flatMap((monitor) => {
      const spec = monitor.spec as {
        selector: { matchLabels: Record<string, string> };
        namespaceSelector?: { matchNames?: string[] };
        jobLabel?: string;
        endpoints: {
          port: string;
          path?: string;
          interval?: string;
          scrapeTimeout?: string;
          scheme?: string;
        }[];
      };
      const namespaces = spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
      const selected = services.filter(
        (s) =>
          namespaces.includes(s.metadata.namespace) && matches(spec.selector.matchLabels, s.metadata.labels),
      );
      if (selected.length !== 1) {
        throw new Error(
          `ServiceMonitor ${monitor.metadata.namespace}/${monitor.metadata.name} selects ${selected.length} Services; the local Prometheus expects exactly one`,
        );
      }
      const service = selected[0] as K8sObject;
      const serviceSpec = service.spec as {
        selector: Record<string, string>;
        ports: { name: string; targetPort: string | number }[];
      };
      return spec.endpoints.map((endpoint, index) => {
        const port = serviceSpec.ports.find((p) => p.name === endpoint.port);
        if (!port) throw new Error(`Service ${service.metadata.name} has no port named '${endpoint.port}'`);
        const { container, containerPort } = podPort(
          workloads,
          service,
          serviceSpec.selector,
          port.targetPort,
        );
        const job = (spec.jobLabel && service.metadata.labels?.[spec.jobLabel]) || service.metadata.name;
        return {
          jobName: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/${index}`,
          interval: endpoint.interval ?? '30s',
          scrapeTimeout: endpoint.scrapeTimeout ?? '10s',
          path: endpoint.path ?? '/metrics',
          scheme: endpoint.scheme ?? 'http',
          labels: {
            namespace: service.metadata.namespace ?? '',
            service: service.metadata.name,
            container,
            endpoint: endpoint.port,
            job,
          },
          containerPort,
        };
      });
    });
}

function podPort(
  workloads: readonly K8sObject[],
  service: K8sObject,
  selector: Record<string, string>,
  targetPort: string | number,
): { container: string; containerPort: number } {
  for (const workload of workloads) {
    if (workload.metadata.namespace !== service.metadata.namespace) continue;
    const template = (
      workload.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: Obj } }
    ).template;
    if (!template || !matches(selector, template.metadata?.labels)) continue;
    const containers = (template.spec?.containers ?? []) as {
      name: string;
      ports?: { name?: string; containerPort: number }[];
    }[];
    for (const c of containers) {
      const p = c.ports?.find((x) => x.name === targetPort || x.containerPort === targetPort);
      if (p) return { container: c.name, containerPort: p.containerPort };
    }
  }
  throw new Error(`no pod template behind Service ${service.metadata.name} exposes port '${targetPort}'`);
}

export interface HttpProbe {
  readonly path: string;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
}

/** The readiness and liveness probes of the named workload's container (the kubelet's schedule). */
export function containerProbes(
  objects: readonly K8sObject[],
  namespace: string,
  container: string,
): { readiness?: HttpProbe; liveness?: HttpProbe } {
  for (const o of objects) {
    if ((o.kind !== 'Deployment' && o.kind !== 'Rollout') || o.metadata.namespace !== namespace) continue;
    const spec = (o.spec as { template?: { spec?: { containers?: Obj[] } } }).template?.spec;
    const c = spec?.containers?.find((x) => x.name === container);
    if (!c) continue;
    const probe = (p: unknown): HttpProbe | undefined => {
      if (!isObj(p) || !isObj(p.httpGet)) return undefined;
      return {
        path: String(p.httpGet.path),
        periodSeconds: Number(p.periodSeconds ?? 10),
        timeoutSeconds: Number(p.timeoutSeconds ?? 1),
      };
    };
    return { readiness: probe(c.readinessProbe), liveness: probe(c.livenessProbe) };
  }
  throw new Error(`no Deployment or Rollout in ${namespace} has a container named ${container}`);
}

/** kube-prometheus-stack's Helm values as the bootstrap renders them into its Application. */
export function kubePrometheusStackValues(bootstrap: readonly K8sObject[]): Obj {
  const app = bootstrap.find((o) => o.kind === 'Application' && o.metadata.name === 'kube-prometheus-stack');
  const helm = (app?.spec?.source as { helm?: { valuesObject?: Obj } } | undefined)?.helm;
  if (!helm?.valuesObject) {
    throw new Error('the bootstrap has no kube-prometheus-stack Application with helm.valuesObject');
  }
  return helm.valuesObject;
}

/** Alertmanager's configuration (the chart's `alertmanager.config`). */
export function alertmanagerConfig(values: Obj): Obj {
  const config = (values.alertmanager as Obj | undefined)?.config;
  if (!isObj(config)) throw new Error('kube-prometheus-stack values: alertmanager.config is missing');
  return config;
}

/** Prometheus's external labels (`prometheus.prometheusSpec.externalLabels`). */
export function externalLabels(values: Obj): Record<string, string> {
  const spec = ((values.prometheus as Obj | undefined)?.prometheusSpec ?? {}) as Obj;
  return (spec.externalLabels ?? {}) as Record<string, string>;
}

/** A dashboard variable (templating.list), as far as a panel query's substitution needs it. */
export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly current?: { readonly value?: string | readonly string[] };
  readonly multi?: boolean;
  readonly includeAll?: boolean;
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly variables: readonly DashboardVariable[];
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/** Every panel target's PromQL in every dashboard ConfigMap (nested rows included). */
export function dashboardQueries(objects: readonly K8sObject[]): PanelQuery[] {
  const out: PanelQuery[] = [];
  const walk = (dashboard: string, variables: readonly DashboardVariable[], panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels) {
      if (!isObj(panel)) continue;
      walk(dashboard, variables, panel.panels);
      const targets = Array.isArray(panel.targets) ? panel.targets : [];
      for (const t of targets) {
        if (isObj(t) && typeof t.expr === 'string' && t.expr.trim() !== '') {
          out.push({
            dashboard,
            variables,
            panel: String(panel.title ?? ''),
            refId: String(t.refId ?? ''),
            expr: t.expr,
          });
        }
      }
    }
  };
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' || o.metadata.labels?.grafana_dashboard !== '1') continue;
    for (const [file, json] of Object.entries(o.data ?? {})) {
      const dashboard = JSON.parse(json) as Obj;
      const templating = (dashboard.templating as { list?: DashboardVariable[] } | undefined)?.list ?? [];
      walk(String(dashboard.title ?? file), templating, dashboard.panels);
    }
  }
  return out;
}
