import { ADD_ON_NAMESPACES, MONITORING_RELEASE } from '../../platform/config/workloads.js';

// Names and labels the cluster add-ons (installed by the platform, not by these charts) expect.
// Charts reference them; nothing here is environment specific. Names the CDK app uses too come from
// the workload contract (platform/config/workloads.ts).

/** `app.kubernetes.io/part-of` of everything the charts render. */
export const PART_OF = 'bank-platform';

/** kube-prometheus-stack: its Prometheus selects ServiceMonitors/PrometheusRules by this label. */
export const MONITORING = {
  namespace: ADD_ON_NAMESPACES.monitoring,
  selectorLabels: { release: MONITORING_RELEASE },
  /** The Grafana sidecar loads ConfigMaps carrying this label from Grafana's own namespace. */
  grafanaDashboardLabels: { grafana_dashboard: '1' },
  /** Labels the operator puts on Prometheus server pods (used by NetworkPolicies). */
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
} as const;

export const ARGOCD_NAMESPACE = ADD_ON_NAMESPACES.argoCd;

export const KUBE_DNS = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' },
} as const;

/** IngressClass served by the AWS Load Balancer Controller. */
export const ALB_INGRESS_CLASS = 'alb';

/** Instance metadata service: pods never need it (credentials come from EKS Pod Identity's agent). */
export const LINK_LOCAL_CIDR = '169.254.0.0/16';

/** The EKS Pod Identity agent on every node: the one link-local address a pod may need. */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/** RFC 1918 ranges, excluded from "internet" egress so only the explicit in-VPC rules open private traffic. */
export const PRIVATE_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** Argo CD sync waves: namespaces and policies first, then secrets/config, migrations, then workloads. */
export const SYNC_WAVE = {
  namespace: '-3',
  guardrails: '-2',
  configuration: '-1',
  migration: '0',
  workload: '1',
  monitoring: '2',
} as const;
