import { KubernetesVersion } from 'aws-cdk-lib/aws-eks';
import type { SupportedKubernetesVersion } from '../../config/kubernetes.js';

// Every EKS managed add-on and Helm chart version is pinned here. EKS Blueprints resolves a version
// left at "auto" by calling the EKS API during synth; pinning keeps synth offline and repeatable, and
// makes an upgrade a reviewed one-line change.

export interface ManagedAddOnVersions {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly ebsCsi: string;
  readonly podIdentityAgent: string;
}

/** EKS managed add-on versions per Kubernetes minor version (each one listed by EKS for that version). */
export const MANAGED_ADDON_VERSIONS: Record<SupportedKubernetesVersion, ManagedAddOnVersions> = {
  '1.33': {
    vpcCni: 'v1.20.4-eksbuild.2',
    coreDns: 'v1.12.1-eksbuild.2',
    kubeProxy: 'v1.33.3-eksbuild.4',
    ebsCsi: 'v1.56.0-eksbuild.1',
    podIdentityAgent: 'v1.3.10-eksbuild.2',
  },
  '1.34': {
    vpcCni: 'v1.20.4-eksbuild.2',
    coreDns: 'v1.12.3-eksbuild.1',
    kubeProxy: 'v1.34.0-eksbuild.2',
    ebsCsi: 'v1.56.0-eksbuild.1',
    podIdentityAgent: 'v1.3.10-eksbuild.2',
  },
};

/** Cluster Autoscaler chart per Kubernetes minor (its image tag must match the control plane minor). */
export const CLUSTER_AUTOSCALER_CHART_VERSIONS: Record<SupportedKubernetesVersion, string> = {
  '1.33': '9.50.1',
  '1.34': '9.53.0',
};

/** Helm chart versions, independent of the Kubernetes minor. */
export const CHART_VERSIONS = {
  karpenter: '1.13.0',
  argoCd: '10.1.2',
  awsLoadBalancerController: '3.4.0',
  externalSecrets: '2.7.0',
  metricsServer: '3.13.1',
  awsForFluentBit: '0.2.0',
} as const;

export const KUBERNETES_VERSIONS: Record<SupportedKubernetesVersion, KubernetesVersion> = {
  '1.33': KubernetesVersion.V1_33,
  '1.34': KubernetesVersion.V1_34,
};
