import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import {
  BANK_API,
  TRACE_COLLECTOR,
  traceCollectorUrl,
  WORKLOAD_PRIORITY_CLASS,
} from '../../platform/config/workloads.js';
import { derivePlatformValues } from '../lib/derived-config.js';
import { ModelObject } from '../lib/model-object.js';
import { MONITORING, PART_OF, SYNC_WAVE } from '../lib/platform-contract.js';
import { API_PATHS_ON_APP_HOST, sharedAlb } from '../lib/public-alb.js';
import { commonLabels } from '../lib/web-service/labels.js';
import type { Delivery, WebServiceProps } from '../lib/web-service/props.js';
import { WebService } from '../lib/web-service/web-service.js';
import { bankApiRuleGroups } from './alerts.js';
import { bankApiAnalysisTemplate } from './analysis.js';
import { bankApiDashboard } from './dashboard.js';

/** Path of the AWS RDS CA bundle inside the bank-api image; verify-full needs it to trust Aurora. */
export const RDS_CA_BUNDLE_PATH = '/app/certs/rds-global-bundle.pem';

/** The AnalysisTemplate a canary of bank-api runs (charts/bank-api/analysis.ts). */
export const CANARY_ANALYSIS_TEMPLATE = `${BANK_API.name}-canary-slo`;

/** The environment's delivery setting as the WebService reads it. */
export function bankApiDelivery(env: EnvironmentConfig): Delivery {
  const delivery = env.bankApi.delivery;
  if (delivery.kind === 'deployment') return delivery;
  return {
    kind: 'canary',
    trafficRouting: delivery.trafficRouting,
    steps: delivery.steps,
    analysis: { templateName: CANARY_ANALYSIS_TEMPLATE, startingStep: delivery.analysis.startingStep },
  };
}

/** bank-api's WebService props for one environment; the namespace chart sizes its quota from them. */
export function bankApiServiceProps(env: EnvironmentConfig, image: string): WebServiceProps {
  const derived = derivePlatformValues(env);
  const shutdown = { preStopSeconds: 10, drainSeconds: 25 };
  const httpPort = 8080;
  const metricsPort = 9464;
  return {
    name: BANK_API.name,
    namespace: BANK_API.namespace,
    serviceAccountName: BANK_API.serviceAccount,
    // Preempts Argo CD, monitoring and batch pods under capacity pressure, never the system add-ons.
    priorityClassName: WORKLOAD_PRIORITY_CLASS.name,
    // IAM database auth and its S3 prefix: credentials from EKS Pod Identity (platform cluster stack).
    podIdentity: true,
    partOf: PART_OF,
    image,
    command: ['node', 'dist/main.js'],
    replicas: env.bankApi.replicas,
    resources: env.bankApi.resources,
    vpcCidr: env.vpcCidr,
    loadBalancerCidrs: derived.loadBalancerCidrs,
    httpPort,
    metricsPort,
    shutdown,
    delivery: bankApiDelivery(env),
    environment: {
      NODE_ENV: 'production',
      PORT: String(httpPort),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: env.bankApi.logLevel,
      // The base of the RFC 9457 problem `type` URIs the API answers with (environment config).
      PROBLEM_TYPE_BASE: env.bankApi.problemTypeBase,
      DATABASE_SSL_MODE: 'verify-full',
      // The region the IAM auth tokens are signed for (the database's).
      AWS_REGION: env.region,
      DATABASE_SSL_CA_FILE: RDS_CA_BUNDLE_PATH,
      DATABASE_POOL_MAX: '10',
      // The migration Job owns schema changes; pods never race each other migrating.
      MIGRATE_ON_START: 'false',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: derived.oidc.issuer,
      OIDC_AUDIENCE: derived.oidc.audience,
      OIDC_JWKS_URI: derived.oidc.jwksUri,
      // Longer than the ALB's 60 s idle timeout, so the ALB never reuses a connection we closed.
      KEEP_ALIVE_TIMEOUT_MS: '65000',
      // After SIGTERM (which follows the preStop pause) report not-ready briefly, then drain.
      SHUTDOWN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: String(shutdown.drainSeconds * 1000),
      // Spans to the cluster's trace collector, which exports them to X-Ray; the X-Ray sampling rules
      // (service name = this one) are read through the collector's awsproxy extension.
      OTEL_EXPORTER_OTLP_ENDPOINT: traceCollectorUrl('otlpHttp'),
      OTEL_SERVICE_NAME: BANK_API.name,
      XRAY_SAMPLING_ENDPOINT: traceCollectorUrl('xraySampling'),
    },
    traceCollector: {
      namespace: TRACE_COLLECTOR.namespace,
      podLabels: TRACE_COLLECTOR.podLabels,
      ports: [TRACE_COLLECTOR.ports.otlpHttp, TRACE_COLLECTOR.ports.xraySampling],
    },
    database: {
      secretName: derived.databaseSecretName,
      auth: 'iam',
      cidrs: derived.databaseCidrs,
      port: BANK_API.database.port,
      sslMode: 'verify-full',
      migration: {
        command: ['node', 'dist/migrate.js'],
        secretName: derived.migrationSecretName,
        serviceAccountName: BANK_API.migrationServiceAccount,
      },
    },
    ingress: {
      // One ALB and WAF for the API and the app (IngressGroup); its tags are every CDK resource's keys.
      ...sharedAlb(env, BANK_API.name),
      hostname: env.bankApi.hostname,
      sharedHosts: [{ hostname: env.bankWeb.hostname, paths: API_PATHS_ON_APP_HOST }],
    },
  };
}

export interface BankApiChartProps {
  readonly env: EnvironmentConfig;
  readonly service: WebServiceProps;
}

/** bank-api: the WebService plus its alerts and Grafana dashboard. */
export class BankApiChart extends Chart {
  constructor(scope: Construct, id: string, props: BankApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const service = new WebService(this, 'Service', props.service);
    const p = service.props;
    const derived = derivePlatformValues(props.env);

    new ModelObject(
      this,
      'Alerts',
      new PrometheusRule({
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: { ...commonLabels(p), ...MONITORING.selectorLabels },
          annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.monitoring },
        },
        spec: {
          groups: bankApiRuleGroups({
            namespace: p.namespace,
            deploymentName: p.name,
            runbookBaseUrl: derived.runbookBaseUrl,
          }),
        },
      }),
    );

    const delivery = props.env.bankApi.delivery;
    if (delivery.kind === 'canary') {
      new ModelObject(
        this,
        'CanaryAnalysis',
        new AnalysisTemplate(
          bankApiAnalysisTemplate({
            name: CANARY_ANALYSIS_TEMPLATE,
            namespace: p.namespace,
            rolloutName: p.name,
            labels: commonLabels(p),
            // Before the Rollout (workload wave): its first analysis run needs the template.
            annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.configuration },
            analysis: delivery.analysis,
          }),
        ),
      );
    }

    const dashboard = bankApiDashboard({
      namespace: p.namespace,
      deploymentName: p.name,
      environment: props.env.name,
    });
    new kplus.ConfigMap(this, 'Dashboard', {
      metadata: {
        // The Grafana sidecar watches its own namespace by default.
        name: `${p.name}-dashboard`,
        namespace: MONITORING.namespace,
        labels: { ...commonLabels(p), ...MONITORING.grafanaDashboardLabels },
        annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.monitoring },
      },
      data: { 'bank-api.json': `${JSON.stringify(dashboard, null, 2)}\n` },
    });
  }
}
