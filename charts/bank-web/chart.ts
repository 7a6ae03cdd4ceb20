import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { BANK_WEB, WORKLOAD_PRIORITY_CLASS } from '../../platform/config/workloads.js';
import { derivePlatformValues } from '../lib/derived-config.js';
import { PART_OF } from '../lib/platform-contract.js';
import { sharedAlb } from '../lib/public-alb.js';
import type { WebServiceProps } from '../lib/web-service/props.js';
import { WebService } from '../lib/web-service/web-service.js';

// bank-web: the customers' single-page app and the small Node server that serves its static files
// (services/bank-web). The browser, not this server, talks to the API (`/v1` on the same host, routed
// by the shared ALB straight to bank-api) and to the OIDC issuer, so the server opens no connection
// at all: its pods get the namespace's DNS egress and nothing else, no AWS identity, no database.

/** bank-web's WebService props for one environment; the namespace chart sizes its quota from them. */
export function bankWebServiceProps(env: EnvironmentConfig, image: string): WebServiceProps {
  const derived = derivePlatformValues(env);
  const httpPort = 8080;
  const metricsPort = 9464;
  return {
    name: BANK_WEB.name,
    namespace: BANK_WEB.namespace,
    serviceAccountName: BANK_WEB.serviceAccount,
    // The app is the bank's front door: it schedules with the API, ahead of Argo CD and monitoring.
    priorityClassName: WORKLOAD_PRIORITY_CLASS.name,
    partOf: PART_OF,
    image,
    // No command: the image's own (services/bank-web/Dockerfile) starts the server.
    replicas: env.bankWeb.replicas,
    resources: env.bankWeb.resources,
    vpcCidr: env.vpcCidr,
    loadBalancerCidrs: derived.loadBalancerCidrs,
    httpPort,
    metricsPort,
    // Static files and a config document: nothing to reach over TLS, in the VPC or outside.
    vpcHttpsEgress: false,
    internetHttpsEgress: false,
    environment: {
      NODE_ENV: 'production',
      PORT: String(httpPort),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: env.bankWeb.logLevel,
      // What the app's sign-in shows the browser: the issuer the API trusts and the app's public client.
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: env.bankApi.oidc.issuer,
      OIDC_CLIENT_ID: env.bankWeb.oidc.clientId,
    },
    ingress: {
      ...sharedAlb(env, BANK_WEB.name),
      hostname: env.bankWeb.hostname,
      // Everything on the app's host that bank-api's Ingress (lower group order) does not claim.
      paths: [{ path: '/', pathType: 'Prefix' }],
    },
  };
}

export interface BankWebChartProps {
  readonly service: WebServiceProps;
}

/** bank-web: one WebService; its Ingress joins the API's ALB (PUBLIC_INGRESS_GROUP). */
export class BankWebChart extends Chart {
  constructor(scope: Construct, id: string, props: BankWebChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    new WebService(this, 'Service', props.service);
  }
}
