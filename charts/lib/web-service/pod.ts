import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { DatabaseMigration, ResolvedWebServiceProps } from './props.js';

// Pod pieces shared by the Deployment and the migration Job. Everything here satisfies Pod
// Security "restricted": non-root numeric user, no privilege escalation, all capabilities dropped,
// RuntimeDefault seccomp, read-only root filesystem with a small writable /tmp.

export function configMapName(p: Pick<ResolvedWebServiceProps, 'name'>): string {
  return `${p.name}-config`;
}

export function databaseSecretName(p: Pick<ResolvedWebServiceProps, 'name'>): string {
  return `${p.name}-database`;
}

/** The Secret holding the schema owner's URL; mounted only into the migration Job. */
export function migrationSecretName(p: Pick<ResolvedWebServiceProps, 'name'>): string {
  return `${p.name}-migrate-database`;
}

export function migrationServiceAccountName(
  p: Pick<ResolvedWebServiceProps, 'name'>,
  migration: DatabaseMigration,
): string {
  return migration.serviceAccountName ?? `${p.name}-migrate`;
}

export function podSecurity(p: ResolvedWebServiceProps): IPodSpec['securityContext'] {
  return {
    runAsNonRoot: true,
    runAsUser: p.runAsUser,
    runAsGroup: p.runAsUser,
    fsGroup: p.runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurity(p: ResolvedWebServiceProps): IContainer['securityContext'] {
  return {
    runAsNonRoot: true,
    runAsUser: p.runAsUser,
    runAsGroup: p.runAsUser,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function resources(p: ResolvedWebServiceProps): IContainer['resources'] {
  const r = p.resources;
  return {
    requests: {
      cpu: cpuQuantity(r.cpuRequestMillis),
      memory: `${r.memoryRequestMiB}Mi`,
      'ephemeral-storage': '64Mi',
    },
    limits: {
      cpu: cpuQuantity(r.cpuLimitMillis),
      memory: `${r.memoryLimitMiB}Mi`,
      'ephemeral-storage': '256Mi',
    },
  };
}

/**
 * ConfigMap for plain settings, the ExternalSecret-made Secret for the database URL. The API pods get
 * the service's own login (`DATABASE_AUTH` says how it authenticates); the migration Job gets the
 * schema owner's, with a password.
 */
export function environment(
  p: ResolvedWebServiceProps,
  role: 'service' | 'migration' = 'service',
): Pick<IContainer, 'env' | 'envFrom'> {
  const envFrom = [{ configMapRef: { name: configMapName(p) } }];
  if (!p.database) return { envFrom };
  const urlEnvName = p.database.urlEnvName ?? 'DATABASE_URL';
  const secret = role === 'service' ? databaseSecretName(p) : migrationSecretName(p);
  const auth = role === 'service' ? (p.database.auth ?? 'password') : 'password';
  return {
    envFrom,
    env: [
      { name: urlEnvName, valueFrom: { secretKeyRef: { name: secret, key: urlEnvName } } },
      { name: 'DATABASE_AUTH', value: auth },
    ],
  };
}

export const TMP_VOLUME = 'tmp';

export function writableTmp(): {
  volume: NonNullable<IPodSpec['volumes']>[number];
  mount: NonNullable<IContainer['volumeMounts']>[number];
} {
  return {
    volume: { name: TMP_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } },
    mount: { name: TMP_VOLUME, mountPath: '/tmp' },
  };
}

/** Pod-level settings every pod of the service shares. */
export function basePodSpec(
  p: ResolvedWebServiceProps,
): Pick<
  IPodSpec,
  | 'serviceAccountName'
  | 'automountServiceAccountToken'
  | 'enableServiceLinks'
  | 'securityContext'
  | 'volumes'
  | 'priorityClassName'
> {
  return {
    serviceAccountName: p.serviceAccountName,
    // The migration Job shares it: a rollout waits for the Job, so it must schedule as readily.
    ...(p.priorityClassName === undefined ? {} : { priorityClassName: p.priorityClassName }),
    // The service never talks to the Kubernetes API.
    automountServiceAccountToken: false,
    // Service links inject env vars for every Service in the namespace; the app reads none of them.
    enableServiceLinks: false,
    securityContext: podSecurity(p),
    volumes: [writableTmp().volume],
  };
}

/**
 * A CPU quantity in its canonical form (`2`, not `2000m`). Kubernetes rewrites quantities canonically
 * when a controller writes an object back; inside a Rollout (a custom resource, stored as sent) the
 * Argo Rollouts controller does exactly that, and a non-canonical value would then read as drift.
 */
export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}
