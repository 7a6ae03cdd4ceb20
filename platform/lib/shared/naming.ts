import type { EnvironmentConfig } from '../../config/index.js';

// Physical names are derived from the environment config only, so they are stable across synths and
// identical in every place that needs them (policies, Helm values, docs).

export type StackPart =
  | 'security'
  | 'network'
  | 'delivery'
  | 'cluster'
  | 'backup-copy'
  | 'dr-storage'
  | 'dr-database';

export const stackName = (env: EnvironmentConfig, part: StackPart): string => `bank-${env.name}-${part}`;

export const resourceName = (env: EnvironmentConfig, suffix: string): string => `bank-${env.name}-${suffix}`;

/** S3 names are global: account and region make them unique without random suffixes. */
export const bucketName = (env: EnvironmentConfig, purpose: string): string =>
  `bank-${env.name}-${purpose}-${env.account}-${env.region}`;

/** The AWS Backup vault; its cross-region copy vault carries the same name in the copy region. */
export const backupVaultName = (env: EnvironmentConfig): string => resourceName(env, 'backup');

export const clusterName = (env: EnvironmentConfig): string => resourceName(env, 'eks');

export const auroraClusterIdentifier = (env: EnvironmentConfig): string => resourceName(env, 'aurora');

/** Secrets Manager name of the Aurora credentials; External Secrets and the bank API read it by name. */
export const auroraSecretName = (env: EnvironmentConfig): string => `bank/${env.name}/aurora/credentials`;

/** A workload's database connection facts (host, port, dbname, username; no password: IAM auth). */
export const databaseConnectionSecretName = (env: EnvironmentConfig, workload: string): string =>
  `bank/${env.name}/${workload}/database`;

/** Prefix of every secret the platform creates for an environment. */
export const secretPrefix = (env: EnvironmentConfig): string => `bank/${env.name}/`;

export const containerLogGroupName = (env: EnvironmentConfig): string => `/bank/${env.name}/eks/containers`;

// Regional disaster recovery (docs/adr/0008). Names, not references, cross the regions: CloudFormation
// has no cross-region references, so both sides derive them from the config.

/** The environment's standby region; throws naming the field when the config has none. */
export const standbyRegion = (env: EnvironmentConfig): string => {
  const region = env.disasterRecovery?.region;
  if (region === undefined) throw new Error(`${env.name}: disasterRecovery.region is not set`);
  return region;
};

/** A bucket in the standby region (same pattern as bucketName, with that region). */
export const standbyBucketName = (env: EnvironmentConfig, purpose: string): string =>
  `bank-${env.name}-${purpose}-${env.account}-${standbyRegion(env)}`;

/** The key in the standby region that encrypts the replicas, the secondary cluster and its logs. */
export const standbyKeyAlias = (env: EnvironmentConfig): string => resourceName(env, 'dr');

/** The role S3 assumes to replicate the audit and backups buckets (IAM is global; one role). */
export const replicationRoleName = (env: EnvironmentConfig): string => resourceName(env, 's3-replication');

export const globalClusterIdentifier = (env: EnvironmentConfig): string => resourceName(env, 'aurora-global');

/** The headless secondary of the Global Database in the standby region. */
export const secondaryClusterIdentifier = (env: EnvironmentConfig): string => resourceName(env, 'aurora-dr');
