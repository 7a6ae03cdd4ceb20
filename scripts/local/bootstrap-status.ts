import { GITOPS_ROOT, workloadsApplicationName } from '../../argocd/applications.js';
import { KUBE_PROMETHEUS_STACK, OPENTELEMETRY_COLLECTOR } from '../../argocd/versions.js';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { kubectlJson } from './kube.js';
import { sleep } from './processes.js';

// Reads what Argo CD reports about the Applications of the local platform (their status is written
// by the real application controller; nothing here sets it).

export interface ApplicationStatus {
  readonly name: string;
  readonly sync: string;
  readonly health: string;
  readonly revision?: string;
  readonly operation?: string;
  readonly conditions: readonly string[];
}

interface LiveApplication {
  metadata: { name: string };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string };
    conditions?: { type: string; message: string }[];
  };
}

export function applicationStatuses(): ApplicationStatus[] {
  const list = kubectlJson<{ items: LiveApplication[] }>([
    'get',
    'applications.argoproj.io',
    '-n',
    ARGOCD_NAMESPACE,
  ]);
  return list.items.map((a) => ({
    name: a.metadata.name,
    sync: a.status?.sync?.status ?? '-',
    health: a.status?.health?.status ?? '-',
    ...(a.status?.sync?.revision ? { revision: a.status.sync.revision } : {}),
    ...(a.status?.operationState?.phase
      ? { operation: `${a.status.operationState.phase}: ${a.status.operationState.message ?? ''}` }
      : {}),
    conditions: (a.status?.conditions ?? []).map((c) => `${c.type}: ${c.message}`),
  }));
}

/**
 * The Applications whose source cannot be reached from this machine: kube-prometheus-stack's and the
 * OpenTelemetry collector's charts live in public Helm repositories, and the local platform has no
 * network. Argo CD reports them with sync status Unknown and a ComparisonError; they are listed as
 * such, never counted as synced.
 */
export const OFFLINE_APPLICATIONS = [
  KUBE_PROMETHEUS_STACK.releaseName,
  OPENTELEMETRY_COLLECTOR.releaseName,
] as const;

export const settled = (s: ApplicationStatus | undefined): boolean =>
  s !== undefined && s.sync === 'Synced' && s.health === 'Healthy';

export function formatStatuses(statuses: readonly ApplicationStatus[]): string {
  return statuses
    .map((s) => {
      const offline = (OFFLINE_APPLICATIONS as readonly string[]).includes(s.name)
        ? '  [chart repository unreachable offline: documented, not synced]'
        : '';
      const detail = [...s.conditions, ...(settled(s) ? [] : s.operation ? [s.operation] : [])]
        .map((c) => `\n      ${c.slice(0, 240)}`)
        .join('');
      return `    ${s.name.padEnd(24)} ${s.sync.padEnd(10)} ${s.health.padEnd(12)}${offline}${detail}`;
    })
    .join('\n');
}

/**
 * Waits until the root and the environment's workloads Application are Synced and Healthy; only the
 * root while a deny sync window holds the workloads (Argo CD does not auto-sync them then).
 */
export async function waitForBootstrap(
  env: EnvironmentConfig,
  timeoutMs: number,
  workloadsHeld = false,
): Promise<string> {
  const want = workloadsHeld
    ? [GITOPS_ROOT.application]
    : [GITOPS_ROOT.application, workloadsApplicationName(env)];
  const deadline = Date.now() + timeoutMs;
  let statuses: ApplicationStatus[] = [];
  while (Date.now() < deadline) {
    statuses = applicationStatuses();
    if (want.every((name) => settled(statuses.find((s) => s.name === name)))) return formatStatuses(statuses);
    await sleep(2000);
  }
  throw new Error(
    `not Synced and Healthy within ${timeoutMs / 1000}s (${want.join(', ')}):\n${formatStatuses(statuses)}`,
  );
}
