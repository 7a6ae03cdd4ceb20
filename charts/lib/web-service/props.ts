// The typed description of one HTTP service on the platform. A chart class fills it in from the
// environment config; `WebService` turns it into every Kubernetes object the service needs.

export interface ContainerResources {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
}

export interface DatabaseMigration {
  /** Command of the migration Job; it must exit 0 once the schema is current. */
  readonly command: readonly string[];
  /**
   * Secrets Manager secret of the login that owns the schema (JSON host, port, username, password,
   * dbname). Only the migration Job reads it, under its own service account.
   */
  readonly secretName: string;
  /** @default '<name>-migrate' */
  readonly serviceAccountName?: string;
}

export interface DatabaseAccess {
  /**
   * Secrets Manager secret the service connects with: JSON host, port, username, dbname, and a
   * password when `auth` is 'password'.
   */
  readonly secretName: string;
  /**
   * 'iam': no password anywhere; the service signs an IAM auth token for every connection as the
   * secret's username (`DATABASE_AUTH=iam`, credentials from EKS Pod Identity, `AWS_REGION` in the
   * environment). 'password': the secret's password goes into the URL.
   * @default 'password'
   */
  readonly auth?: 'iam' | 'password';
  /** Where the database lives (NetworkPolicy egress). */
  readonly cidrs: readonly string[];
  readonly port?: number;
  /** Environment variable that receives the connection URL. */
  readonly urlEnvName?: string;
  /** libpq sslmode written into the URL. */
  readonly sslMode?: 'require' | 'verify-full';
  /** Schema migrations, run as a Sync hook before the Deployment rolls out. */
  readonly migration?: DatabaseMigration;
}

/** One path the ALB routes to the service (Ingress `pathType` semantics). */
export interface IngressPath {
  /** Absolute path, no trailing slash except the root itself. */
  readonly path: string;
  readonly pathType: 'Prefix' | 'Exact';
}

/** Paths of the service on a host that another service's Ingress (same ALB) serves too. */
export interface SharedHostRoutes {
  readonly hostname: string;
  readonly paths: readonly IngressPath[];
}

/**
 * An IngressGroup of the AWS Load Balancer Controller: every Ingress naming the same group shares one
 * ALB. Its load-balancer-wide annotations (scheme, listeners, ssl-policy, WAF, attributes, inbound
 * CIDRs, tags) must then be identical in every member, which `PublicIngress` guarantees by rendering
 * them from the same fields.
 */
export interface IngressGroup {
  /** `alb.ingress.kubernetes.io/group.name`: a DNS label of at most 63 characters. */
  readonly name: string;
  /** `alb.ingress.kubernetes.io/group.order`: rules of lower orders are evaluated first (1-1000). */
  readonly order: number;
}

export interface PublicIngress {
  readonly hostname: string;
  /** Regional WAFv2 web ACL attached to the ALB, by name. */
  readonly wafAclName: string;
  /** Client CIDRs allowed to reach the ALB; empty means the internet. */
  readonly allowedCidrs: readonly string[];
  /** AWS tags for the ALB and its target groups. */
  readonly tags: Readonly<Record<string, string>>;
  /** What `hostname` routes to the service. @default everything: [{ path: '/', pathType: 'Prefix' }] */
  readonly paths?: readonly IngressPath[];
  /** Paths of the service on hosts other services own (their TLS hosts join this Ingress's). @default none */
  readonly sharedHosts?: readonly SharedHostRoutes[];
  /** Share the ALB with other services' Ingresses. @default none: an ALB of its own */
  readonly group?: IngressGroup;
}

/** An in-cluster OpenTelemetry collector the service exports spans to (NetworkPolicy egress). */
export interface TraceCollectorPeer {
  readonly namespace: string;
  /** Labels of the collector pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Ports the service may reach (OTLP/HTTP, the X-Ray sampling proxy). */
  readonly ports: readonly number[];
}

/** One canary step: grow the canary to a share of the traffic (or pods), or wait (Go duration). */
export type CanaryStep = { readonly setWeight: number } | { readonly pause: string };

/** The Argo Rollouts AnalysisTemplate run in the background of a canary; a failure aborts it. */
export interface CanaryAnalysis {
  /** AnalysisTemplate in the service's namespace; it receives the canary's pod-template hash as `canary-hash`. */
  readonly templateName: string;
  /** Index of the step the analysis starts with. */
  readonly startingStep: number;
}

/**
 * How a new version replaces the old one. 'deployment': a Kubernetes rolling update. 'canary': an Argo
 * Rollouts Rollout that moves through `steps`; with `trafficRouting` 'alb' the ALB splits the traffic
 * by weight between the `<name>-stable` and `<name>-canary` Services (the Ingress forwards through the
 * action annotation the Rollouts controller writes), with 'replicas' the weight is the canary's share
 * of the pods behind the one Service.
 */
export type Delivery =
  | { readonly kind: 'deployment' }
  | {
      readonly kind: 'canary';
      readonly trafficRouting: 'alb' | 'replicas';
      readonly steps: readonly CanaryStep[];
      readonly analysis?: CanaryAnalysis;
    };

export interface WebServiceProps {
  /** DNS label; used for the Deployment, Service and labels. */
  readonly name: string;
  /** The pods' service account (what EKS Pod Identity binds a role to). @default name */
  readonly serviceAccountName?: string;
  readonly namespace: string;
  /** The system the service belongs to (`app.kubernetes.io/part-of`). */
  readonly partOf: string;
  /** Pinned image reference (digest or immutable tag). */
  readonly image: string;
  /**
   * PriorityClass of every pod of the service (Deployment and migration Job); the class itself is
   * rendered by the namespaces chart. @default none: priority 0
   */
  readonly priorityClassName?: string;
  /** The container's command. @default none: the image's own entrypoint and command */
  readonly command?: readonly string[];
  readonly replicas: { readonly min: number; readonly max: number };
  readonly resources: ContainerResources;
  /** Non-secret environment, rendered into the service's ConfigMap. */
  readonly environment: Readonly<Record<string, string>>;
  /** VPC CIDR: the VPC interface endpoints (STS, Secrets Manager, ...) answer there on 443. */
  readonly vpcCidr: string;
  /**
   * Subnets the load balancer's nodes live in (the public subnets of an internet-facing ALB in IP
   * target mode): the only sources admitted to the HTTP port. Never the VPC CIDR: with the VPC CNI
   * every pod has an address there. Kubelet probes come from the node's own address, which the AWS
   * network policy agent always admits.
   */
  readonly loadBalancerCidrs: readonly string[];
  /** @default 8080 */
  readonly httpPort?: number;
  /** @default 9464 */
  readonly metricsPort?: number;
  /** Process-only health; never depends on the database. @default '/livez' */
  readonly livenessPath?: string;
  /** Ready to take traffic (dependencies reachable). @default '/readyz' */
  readonly readinessPath?: string;
  /** Numeric user and group the image runs as. @default 10001 */
  readonly runAsUser?: number;
  readonly database?: DatabaseAccess;
  readonly ingress?: PublicIngress;
  /**
   * Graceful shutdown: the preStop pause lets the ALB and kube-proxy stop routing to the pod before it
   * sees SIGTERM; the app then drains for at most `drainSeconds`.
   * @default { preStopSeconds: 10, drainSeconds: 25 }
   */
  readonly shutdown?: { readonly preStopSeconds: number; readonly drainSeconds: number };
  /** Average utilisation targets of the HPA, in percent of requests. @default { cpu: 70, memory: 80 } */
  readonly autoscaling?: { readonly cpuUtilization: number; readonly memoryUtilization: number };
  /** Allow HTTPS egress to public addresses (OIDC JWKS, AWS public endpoints). @default true */
  readonly internetHttpsEgress?: boolean;
  /**
   * Allow HTTPS egress into the VPC, where the AWS interface endpoints (STS, Secrets Manager, ...)
   * answer. A service that calls no AWS API turns it off. @default true
   */
  readonly vpcHttpsEgress?: boolean;
  /**
   * The service's pods get AWS credentials from EKS Pod Identity: they may reach the node's Pod
   * Identity agent (169.254.170.23:80), and nothing else link-local. @default false
   */
  readonly podIdentity?: boolean;
  /** The trace collector the pods may send spans to. @default - no egress to a collector */
  readonly traceCollector?: TraceCollectorPeer;
  /** How new versions roll out. @default { kind: 'deployment' } */
  readonly delivery?: Delivery;
}

/** Props with every default applied; what the builders read. */
export type ResolvedWebServiceProps = Required<
  Omit<WebServiceProps, 'database' | 'ingress' | 'priorityClassName' | 'traceCollector' | 'command'>
> &
  Pick<WebServiceProps, 'database' | 'ingress' | 'priorityClassName' | 'traceCollector' | 'command'>;

export function resolveWebServiceProps(props: WebServiceProps): ResolvedWebServiceProps {
  const resolved: ResolvedWebServiceProps = {
    httpPort: 8080,
    metricsPort: 9464,
    livenessPath: '/livez',
    readinessPath: '/readyz',
    runAsUser: 10001,
    shutdown: { preStopSeconds: 10, drainSeconds: 25 },
    autoscaling: { cpuUtilization: 70, memoryUtilization: 80 },
    internetHttpsEgress: true,
    vpcHttpsEgress: true,
    podIdentity: false,
    serviceAccountName: props.name,
    delivery: { kind: 'deployment' },
    ...props,
  };
  checkProps(resolved);
  return resolved;
}

function checkProps(p: ResolvedWebServiceProps): void {
  const problems: string[] = [];
  if (!/^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$/.test(p.name))
    problems.push(`name '${p.name}' must be a short DNS label`);
  if (
    p.priorityClassName !== undefined &&
    !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(p.priorityClassName)
  )
    problems.push(`priorityClassName '${p.priorityClassName}' must be a DNS subdomain name`);
  if (p.replicas.min < 2)
    problems.push('replicas.min must be at least 2 (one pod is a single point of failure)');
  if (p.replicas.max < p.replicas.min) problems.push('replicas.max must be >= replicas.min');
  if (p.httpPort === p.metricsPort)
    problems.push('metricsPort must differ from httpPort (metrics are never routed)');
  if (p.resources.cpuLimitMillis < p.resources.cpuRequestMillis)
    problems.push('resources.cpuLimitMillis must be >= cpuRequestMillis');
  if (p.resources.memoryLimitMiB < p.resources.memoryRequestMiB)
    problems.push('resources.memoryLimitMiB must be >= memoryRequestMiB');
  if (p.shutdown.preStopSeconds < 1 || p.shutdown.drainSeconds < 1)
    problems.push('shutdown pauses must be at least 1 second');
  if (p.loadBalancerCidrs.length === 0)
    problems.push('loadBalancerCidrs must name at least one subnet (nothing could reach the service)');
  if (p.loadBalancerCidrs.includes(p.vpcCidr))
    problems.push('loadBalancerCidrs must not be the VPC CIDR (every pod has an address there)');
  for (const cidr of [...p.loadBalancerCidrs, ...(p.database?.cidrs ?? [])]) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) problems.push(`'${cidr}' is not an IPv4 CIDR`);
  }
  if (p.database?.cidrs.length === 0) problems.push('database.cidrs must name the database subnets');
  if (p.database?.auth === 'iam') {
    if (!p.podIdentity)
      problems.push("database.auth 'iam' needs podIdentity: true (tokens are signed with its role)");
    if (!p.environment.AWS_REGION) problems.push("database.auth 'iam' needs AWS_REGION in environment");
    if ((p.database.sslMode ?? 'verify-full') !== 'verify-full')
      problems.push("database.auth 'iam' needs sslMode 'verify-full' (the token is a bearer credential)");
  }
  if (p.traceCollector) {
    const { ports, podLabels } = p.traceCollector;
    if (ports.length === 0) problems.push('traceCollector.ports must name at least one port');
    for (const port of ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        problems.push(`traceCollector.ports: ${port} is not a TCP port`);
    }
    if (Object.keys(podLabels).length === 0)
      problems.push('traceCollector.podLabels must select the collector pods (empty selects every pod)');
  }
  if (p.command?.length === 0)
    problems.push("command must not be empty (leave it out to run the image's own command)");
  if (p.ingress) problems.push(...ingressProblems(p.ingress));
  if (p.delivery.kind === 'canary') {
    const { steps, analysis, trafficRouting } = p.delivery;
    if (trafficRouting === 'alb' && !p.ingress)
      problems.push("delivery.trafficRouting 'alb' needs an ingress (the ALB splits the traffic)");
    if (steps.length === 0) problems.push('delivery.steps must name at least one step');
    for (const step of steps) {
      if (
        'setWeight' in step &&
        !(Number.isInteger(step.setWeight) && step.setWeight >= 1 && step.setWeight <= 100)
      )
        problems.push(`delivery.steps: setWeight ${step.setWeight} must be an integer from 1 to 100`);
      if ('pause' in step && !/^[1-9]\d*[smh]$/.test(step.pause))
        problems.push(`delivery.steps: pause '${step.pause}' must be a duration such as 30s or 5m`);
    }
    if (
      analysis &&
      !(
        Number.isInteger(analysis.startingStep) &&
        analysis.startingStep >= 0 &&
        analysis.startingStep < steps.length
      )
    )
      problems.push(`delivery.analysis.startingStep must be a step index below ${steps.length}`);
  }
  if (p.database?.migration && p.database.migration.secretName === p.database.secretName)
    problems.push(
      "database.migration.secretName must differ from database.secretName (the service never reads the owner's login)",
    );
  if (problems.length > 0) {
    throw new Error(
      `WebService '${p.name}' is misconfigured:\n${problems.map((m) => `  - ${m}`).join('\n')}`,
    );
  }
}

const INGRESS_PATH = /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/;
const GROUP_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function ingressProblems(ing: PublicIngress): string[] {
  const problems: string[] = [];
  const hosts = [
    { hostname: ing.hostname, paths: ing.paths ?? [{ path: '/', pathType: 'Prefix' as const }] },
    ...(ing.sharedHosts ?? []),
  ];
  const names = hosts.map((h) => h.hostname);
  for (const [i, name] of names.entries())
    if (names.indexOf(name) !== i) problems.push(`ingress: host '${name}' is listed twice`);
  for (const host of hosts) {
    if (host.paths.length === 0) problems.push(`ingress: host '${host.hostname}' routes no path`);
    const seen = new Set<string>();
    for (const { path, pathType } of host.paths) {
      if (!INGRESS_PATH.test(path))
        problems.push(
          `ingress: path '${path}' on '${host.hostname}' must be absolute, without a trailing slash or wildcard`,
        );
      if (seen.has(path)) problems.push(`ingress: path '${path}' on '${host.hostname}' is listed twice`);
      seen.add(path);
      if (path === '/' && pathType === 'Exact')
        problems.push(
          `ingress: '/' on '${host.hostname}' must be a Prefix (Exact '/' matches the root only)`,
        );
    }
  }
  if (ing.group) {
    if (!GROUP_NAME.test(ing.group.name))
      problems.push(`ingress.group.name '${ing.group.name}' must be a DNS label of at most 63 characters`);
    if (!Number.isInteger(ing.group.order) || ing.group.order < 1 || ing.group.order > 1000)
      problems.push(`ingress.group.order ${ing.group.order} must be an integer from 1 to 1000`);
  }
  return problems;
}

/**
 * Most pods the service can run at once: HPA max plus the surge of a release plus the migration Job.
 * An ALB-routed canary keeps the stable ReplicaSet at full size while the canary grows to full size
 * (traffic moves by weight, not by pods), so its surge is a second full set.
 */
export function maxPods(p: ResolvedWebServiceProps): number {
  const surge =
    p.delivery.kind === 'canary' && p.delivery.trafficRouting === 'alb' ? p.replicas.max : surgePods(p);
  return p.replicas.max + surge + (p.database?.migration ? 1 : 0);
}

/** Rolling updates add 25 % of the replicas (at least one) before any old pod goes. */
export function surgePods(p: Pick<ResolvedWebServiceProps, 'replicas'>): number {
  return Math.max(1, Math.ceil(p.replicas.max * 0.25));
}

/** Seconds Kubernetes waits after starting termination: preStop pause + app drain + a margin for exit. */
export function terminationGracePeriodSeconds(p: ResolvedWebServiceProps): number {
  return p.shutdown.preStopSeconds + p.shutdown.drainSeconds + 5;
}
