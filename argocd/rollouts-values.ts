import type { HelmValues } from './helm-values.js';
import { ARGO_ROLLOUTS } from './versions.js';

// Values of the argo-rollouts chart. Two controller replicas (leader election: one reconciles, the
// other takes over within seconds), the release the local platform builds, and no dashboard: operators
// watch a canary with `kubectl argo rollouts get rollout` or in Argo CD (docs/gitops.md).

export function rolloutsValues(): HelmValues {
  return {
    installCRDs: true,
    // Uninstalling the chart must not delete the CRDs, which would delete every Rollout and its pods.
    keepCRDs: true,
    controller: {
      replicas: 2,
      image: { tag: ARGO_ROLLOUTS.appVersion },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    },
    dashboard: { enabled: false },
  };
}
