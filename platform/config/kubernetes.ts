// Kubernetes minor versions the platform pins add-on versions for (see platform/lib/cluster/versions.ts).
// A version outside this list would make EKS Blueprints look add-on versions up over the network at synth.
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.33', '1.34'] as const;
export type SupportedKubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/**
 * The CPU architecture of every node (Graviton instance families; Karpenter's NodePools require it)
 * and therefore of every image the platform builds: the release workflow builds bank-api for
 * `linux/<arch>` on a runner of that architecture (ci:environment prints it as image_platform).
 */
export const NODE_ARCHITECTURE = 'arm64';
export const IMAGE_PLATFORM = `linux/${NODE_ARCHITECTURE}`;
