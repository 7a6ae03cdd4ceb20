// The workload contract: what runs in the cluster and under which identity, declared once. The CDK
// app (Pod Identity associations, IAM grants, the secret store, the GitOps root) and the cdk8s charts
// (namespaces, service accounts, ExternalSecrets, Argo CD projects and Applications) both import
// these names, so the two sides cannot drift apart and no test has to keep copies equal.
// Nothing here differs between environments; what does lives in the environment config.

/** Namespaces of the platform's own add-ons. */
export const ADD_ON_NAMESPACES = {
  argoCd: 'argocd',
  monitoring: 'monitoring',
  argoRollouts: 'argo-rollouts',
} as const;

/** kube-prometheus-stack's Helm release: its name prefixes the service accounts the chart creates. */
export const MONITORING_RELEASE = 'kube-prometheus-stack';

/**
 * The Prometheus server kube-prometheus-stack runs (Service `<release>-prometheus`, port 9090): the
 * canary analysis of Argo Rollouts queries it (charts/bank-api/analysis.ts).
 */
export const PROMETHEUS = {
  namespace: ADD_ON_NAMESPACES.monitoring,
  service: `${MONITORING_RELEASE}-prometheus`,
  port: 9090,
} as const;

/** Base URL of the in-cluster Prometheus API, by its Service's cluster DNS name. */
export const prometheusUrl = (): string =>
  `http://${PROMETHEUS.service}.${PROMETHEUS.namespace}.svc:${PROMETHEUS.port}`;

/** The Argo Rollouts controller (argo-rollouts chart, argocd/applications.ts): no AWS access. */
export const ARGO_ROLLOUTS = {
  releaseName: 'argo-rollouts',
  namespace: ADD_ON_NAMESPACES.argoRollouts,
} as const;

/**
 * The External Secrets store backed by AWS Secrets Manager. The platform creates it; the charts'
 * ExternalSecrets reference it. Only the namespaces in `SECRET_STORE_NAMESPACES` may use it.
 */
export const SECRET_STORE = { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' } as const;

/** A Kubernetes identity that AWS access (EKS Pod Identity) is granted to. */
export interface WorkloadIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The bank API: its identity, its database login, its share of the assets bucket. */
export const BANK_API = {
  name: 'bank-api',
  namespace: 'bank',
  serviceAccount: 'bank-api',
  /** The migrate Job runs as its own account: it alone reads the database owner's secret. */
  migrationServiceAccount: 'bank-api-migrate',
  database: {
    name: 'bank',
    port: 5432,
    /** The login role the service connects as (IAM auth); created by the service's migrations. */
    role: 'bank_api',
  },
  /** The only prefix of the assets bucket the service may read and write. */
  bucketPrefix: 'bank-api/',
} as const;

/**
 * The customers' web application: a static single-page app and the small Node server that serves it.
 * It shares the bank namespace with the API but no identity: no AWS role, no database, no secret.
 */
export const BANK_WEB = {
  name: 'bank-web',
  namespace: BANK_API.namespace,
  serviceAccount: 'bank-web',
} as const;

/**
 * The one internet-facing ALB the bank's services share (the AWS Load Balancer Controller's
 * IngressGroup): each chart keeps its own Ingress, the controller merges them into one load balancer
 * with one WAF ACL and TLS listener. Rules are evaluated by `order`, lowest first, so the API's
 * paths on the app's host come before the app's catch-all `/`.
 */
export const PUBLIC_INGRESS_GROUP = {
  name: 'bank-public',
  order: { [BANK_API.name]: 10, [BANK_WEB.name]: 20 },
} as const;

/**
 * Scheduling priority of the bank's own pods (the API and its migration Job), rendered by the charts
 * as a PriorityClass. Pods without a class run at 0: Argo CD, the monitoring stack and any batch work,
 * so under capacity pressure the scheduler preempts those to place a bank API pod. The system classes
 * (system-cluster-critical 2,000,000,000, system-node-critical 2,000,001,000: CoreDNS, the VPC CNI,
 * kube-proxy, Karpenter) stay above it; a user-defined class may not exceed 1,000,000,000 anyway.
 */
export const WORKLOAD_PRIORITY_CLASS = {
  name: 'bank-workload-critical',
  value: 1_000_000,
} as const;

/**
 * The OpenTelemetry collector (opentelemetry-collector chart, argocd/applications.ts): bank-api sends
 * its spans here over OTLP/HTTP and reads the X-Ray sampling rules through its awsproxy extension; it
 * exports to AWS X-Ray with its own Pod Identity role. The chart's fullnameOverride makes the release
 * name the Service's and the ServiceAccount's name.
 */
export const TRACE_COLLECTOR = {
  releaseName: 'otel-collector',
  namespace: ADD_ON_NAMESPACES.monitoring,
  serviceAccount: 'otel-collector',
  /** Labels the chart puts on the collector pods (NetworkPolicy peers select them). */
  podLabels: {
    'app.kubernetes.io/name': 'opentelemetry-collector',
    'app.kubernetes.io/instance': 'otel-collector',
  },
  ports: { otlpHttp: 4318, xraySampling: 2000 },
} as const;

/** Base URL of one of the collector's ports, by the Service's cluster DNS name. */
export const traceCollectorUrl = (port: keyof typeof TRACE_COLLECTOR.ports): string =>
  `http://${TRACE_COLLECTOR.releaseName}.${TRACE_COLLECTOR.namespace}.svc:${TRACE_COLLECTOR.ports[port]}`;

/** Identities of the add-ons that call AWS. */
export const ADD_ON_IDENTITIES = {
  /** Grafana's CloudWatch data source. */
  grafana: { namespace: ADD_ON_NAMESPACES.monitoring, serviceAccount: `${MONITORING_RELEASE}-grafana` },
  /** Alertmanager's SNS receiver (the on-call topic). */
  alertmanager: {
    namespace: ADD_ON_NAMESPACES.monitoring,
    serviceAccount: `${MONITORING_RELEASE}-alertmanager`,
  },
  /** The trace collector's X-Ray exporter and sampling proxy. */
  traceCollector: { namespace: TRACE_COLLECTOR.namespace, serviceAccount: TRACE_COLLECTOR.serviceAccount },
} as const satisfies Record<string, WorkloadIdentity>;

/** Namespaces whose ExternalSecrets may read through the secret store. */
export const SECRET_STORE_NAMESPACES: readonly string[] = [BANK_API.namespace];

/** Argo CD's GitOps structure: the root the platform creates, the projects, the sync policy. */
export const GITOPS = {
  projects: { bootstrap: 'bootstrap', platform: 'platform', bank: 'bank' },
  /** The Application the cluster stack creates; it syncs the bootstrap folder, which holds the rest. */
  rootApplication: 'root',
  /** Retries of a failed automated sync (e.g. a CRD not yet served): 10 s doubling up to 3 min. */
  retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
} as const;
