// Kubernetes minor versions the platform pins add-on versions for (see platform/lib/cluster/versions.ts).
// A version outside this list would make EKS Blueprints look add-on versions up over the network at synth.
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.33', '1.34'] as const;
export type SupportedKubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
