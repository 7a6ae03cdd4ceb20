import type { HttpProbe } from './monitoring-sources.js';

// Stands in for the kubelet, which on EKS calls each bank-api container's readiness and liveness
// probes on the schedule the rendered Deployment gives (periodSeconds, timeoutSeconds). bank-api
// refreshes bank_db_up when its readiness probe runs, so without these calls the gauge would never
// change locally. Results are not acted on (no restarts, no endpoint removal): only the calls matter.

export function startKubeletProbes(baseUrl: string, probes: readonly (HttpProbe | undefined)[]): () => void {
  const timers = probes
    .filter((p): p is HttpProbe => p !== undefined)
    .map((probe) => {
      const call = () => {
        fetch(`${baseUrl}${probe.path}`, { signal: AbortSignal.timeout(probe.timeoutSeconds * 1000) })
          .then((r) => r.arrayBuffer())
          .catch(() => {});
      };
      call();
      return setInterval(call, probe.periodSeconds * 1000);
    });
  return () => {
    for (const t of timers) clearInterval(t);
  };
}
