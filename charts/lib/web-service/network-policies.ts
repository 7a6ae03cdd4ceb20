import type { Construct } from 'constructs';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import { purposeAnnotation } from '../../../platform/config/labels.js';
import { ModelObject } from '../model-object.js';
import {
  LINK_LOCAL_CIDR,
  MONITORING,
  POD_IDENTITY_AGENT,
  PRIVATE_CIDRS,
  SYNC_WAVE,
} from '../platform-contract.js';
import { commonLabels, selectorLabels } from './labels.js';
import type { ResolvedWebServiceProps } from './props.js';

// Allow-rules for one service, on top of the namespace's default deny (see WorkloadNamespace).
// Each policy has one reason to exist, so a denied flow maps to exactly one missing rule.

export function addServiceNetworkPolicies(scope: Construct, p: ResolvedWebServiceProps): void {
  const metadata = (name: string, purpose: string) => ({
    name: `${p.name}-${name}`,
    namespace: p.namespace,
    labels: commonLabels(p),
    annotations: {
      'argocd.argoproj.io/sync-wave': SYNC_WAVE.guardrails,
      [purposeAnnotation()]: purpose,
    },
  });
  const allPods = { matchLabels: { 'app.kubernetes.io/name': p.name } };

  new ModelObject(
    scope,
    'AllowAlbToHttp',
    new NetworkPolicy({
      metadata: metadata(
        'allow-alb-http',
        'the ALB (ip targets, in the public subnets) reaches the API port; no pod does',
      ),
      spec: {
        podSelector: { matchLabels: selectorLabels(p, 'api') },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: p.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: 'TCP', port: p.httpPort }],
          },
        ],
      },
    }),
  );

  new ModelObject(
    scope,
    'AllowPrometheusToMetrics',
    new NetworkPolicy({
      metadata: metadata(
        'allow-prometheus-metrics',
        'Prometheus in the monitoring namespace scrapes the metrics port',
      ),
      spec: {
        podSelector: { matchLabels: selectorLabels(p, 'api') },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING.namespace } },
                podSelector: { matchLabels: { ...MONITORING.prometheusPodLabels } },
              },
            ],
            ports: [{ protocol: 'TCP', port: p.metricsPort }],
          },
        ],
      },
    }),
  );

  if (p.database) {
    const port = p.database.port ?? 5432;
    new ModelObject(
      scope,
      'AllowDatabaseEgress',
      new NetworkPolicy({
        metadata: metadata('allow-database-egress', 'the API and its migration Job reach PostgreSQL'),
        spec: {
          podSelector: allPods,
          policyTypes: ['Egress'],
          egress: [
            {
              to: p.database.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port }],
            },
          ],
        },
      }),
    );
  }

  const https: INetworkPolicyEgressRule[] = [];
  if (p.vpcHttpsEgress) {
    // VPC interface endpoints (STS, Secrets Manager, ...) answer on private addresses.
    https.push({ to: [{ ipBlock: { cidr: p.vpcCidr } }], ports: [{ protocol: 'TCP', port: 443 }] });
  }
  if (p.internetHttpsEgress) {
    https.push({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_CIDRS, LINK_LOCAL_CIDR] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  }
  // A service that opens no TLS connection gets no policy: with an empty egress list it would allow
  // nothing the namespace's default deny does not already refuse.
  if (https.length > 0)
    new ModelObject(
      scope,
      'AllowHttpsEgress',
      new NetworkPolicy({
        metadata: metadata(
          'allow-https-egress',
          'AWS endpoints and the OIDC issuer (JWKS) over TLS; never instance metadata',
        ),
        spec: { podSelector: allPods, policyTypes: ['Egress'], egress: https },
      }),
    );

  if (p.podIdentity) {
    new ModelObject(
      scope,
      'AllowPodIdentityAgent',
      new NetworkPolicy({
        metadata: metadata(
          'allow-pod-identity-agent',
          'the API pods fetch their role credentials from the node-local EKS Pod Identity agent',
        ),
        spec: {
          podSelector: { matchLabels: selectorLabels(p, 'api') },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
              ports: [{ protocol: 'TCP', port: POD_IDENTITY_AGENT.port }],
            },
          ],
        },
      }),
    );
  }

  if (p.traceCollector) {
    const collector = p.traceCollector;
    new ModelObject(
      scope,
      'AllowTraceCollectorEgress',
      new NetworkPolicy({
        metadata: metadata(
          'allow-trace-collector-egress',
          'the API pods send spans (OTLP/HTTP) to the trace collector and read X-Ray sampling rules from it',
        ),
        spec: {
          podSelector: { matchLabels: selectorLabels(p, 'api') },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collector.namespace } },
                  podSelector: { matchLabels: { ...collector.podLabels } },
                },
              ],
              ports: collector.ports.map((port) => ({ protocol: 'TCP', port })),
            },
          ],
        },
      }),
    );
  }
}
