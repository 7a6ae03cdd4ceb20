import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { ModelObject } from '../model-object.js';
import { KUBE_DNS, SYNC_WAVE } from '../platform-contract.js';
import { maxPods, type ResolvedWebServiceProps } from '../web-service/props.js';

export interface WorkloadNamespaceProps {
  readonly name: string;
  readonly partOf: string;
  /** Every service that will run here; the quota is their combined worst case. */
  readonly services: readonly ResolvedWebServiceProps[];
}

/**
 * A namespace for the bank's workloads: Pod Security "restricted" enforced, a quota sized from the
 * services it hosts, container defaults, and default-deny networking with DNS as the only exception.
 */
export class WorkloadNamespace extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/part-of': props.partOf, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const ns = props.name;
    const guard = (name: string) => ({
      name,
      namespace: ns,
      labels,
      annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.guardrails },
    });

    new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: ns,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
          // The AWS Load Balancer Controller adds a readiness gate, so a rollout waits until the
          // new pod is healthy in the ALB target group, not only in Kubernetes.
          'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
        },
        annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.namespace },
      },
    });

    const budget = combinedBudget(props.services);
    new ModelObject(
      this,
      'Quota',
      new ResourceQuota({
        metadata: guard('compute'),
        spec: {
          hard: {
            pods: String(budget.pods),
            'requests.cpu': `${budget.cpuRequestMillis}m`,
            'limits.cpu': `${budget.cpuLimitMillis}m`,
            'requests.memory': `${budget.memoryRequestMiB}Mi`,
            'limits.memory': `${budget.memoryLimitMiB}Mi`,
            // Public entry points are the Ingress's job; a stray LoadBalancer Service would bypass the WAF.
            'services.loadbalancers': '0',
            'services.nodeports': '0',
          },
        },
      }),
    );

    new ModelObject(
      this,
      'Limits',
      new LimitRange({
        metadata: guard('container-defaults'),
        spec: {
          limits: [
            {
              type: 'Container',
              // Applied only to containers that declare nothing; ours always declare both.
              defaultRequest: { cpu: '100m', memory: '128Mi' },
              default: { cpu: '500m', memory: '256Mi' },
              max: { cpu: `${budget.largestCpuLimitMillis}m`, memory: `${budget.largestMemoryLimitMiB}Mi` },
            },
          ],
        },
      }),
    );

    new ModelObject(
      this,
      'DefaultDeny',
      new NetworkPolicy({
        metadata: guard('default-deny'),
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );

    new ModelObject(
      this,
      'AllowDns',
      new NetworkPolicy({
        metadata: guard('allow-dns-egress'),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': KUBE_DNS.namespace } },
                  podSelector: { matchLabels: { ...KUBE_DNS.podLabels } },
                },
              ],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
          ],
        },
      }),
    );
  }
}

interface Budget {
  pods: number;
  cpuRequestMillis: number;
  cpuLimitMillis: number;
  memoryRequestMiB: number;
  memoryLimitMiB: number;
  largestCpuLimitMillis: number;
  largestMemoryLimitMiB: number;
}

/** Worst case of all services at once: every one at HPA max, mid-rollout, with its migration Job. */
export function combinedBudget(services: readonly ResolvedWebServiceProps[]): Budget {
  const total: Budget = {
    pods: 0,
    cpuRequestMillis: 0,
    cpuLimitMillis: 0,
    memoryRequestMiB: 0,
    memoryLimitMiB: 0,
    largestCpuLimitMillis: 500,
    largestMemoryLimitMiB: 256,
  };
  for (const s of services) {
    const pods = maxPods(s);
    total.pods += pods;
    total.cpuRequestMillis += pods * s.resources.cpuRequestMillis;
    total.cpuLimitMillis += pods * s.resources.cpuLimitMillis;
    total.memoryRequestMiB += pods * s.resources.memoryRequestMiB;
    total.memoryLimitMiB += pods * s.resources.memoryLimitMiB;
    total.largestCpuLimitMillis = Math.max(total.largestCpuLimitMillis, s.resources.cpuLimitMillis);
    total.largestMemoryLimitMiB = Math.max(total.largestMemoryLimitMiB, s.resources.memoryLimitMiB);
  }
  return total;
}
