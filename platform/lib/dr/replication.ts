import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { EnvironmentConfig } from '../../config/index.js';
import { replicationRoleName, standbyBucketName, standbyKeyAlias, standbyRegion } from '../shared/naming.js';
import type { SecureBucket } from '../shared/secure-bucket.js';

/** The buckets replicated to the standby region, by purpose (the part of the bucket name). */
export const REPLICATED_BUCKETS = {
  audit: 'audit-replica',
  backups: 'backups-replica',
} as const;

/**
 * Replicates `bucket` (named `bank-<env>-<purpose>-...`) to its replica in the environment's standby
 * region, with the role and key the standby storage stack creates there (by name: no cross-region
 * references). The source side of the role's permissions is a managed policy in the bucket's stack.
 */
export function replicateToStandby(
  bucket: SecureBucket,
  env: EnvironmentConfig,
  purpose: keyof typeof REPLICATED_BUCKETS,
): void {
  const stack = Stack.of(bucket);
  const region = standbyRegion(env);
  const role = iam.Role.fromRoleName(bucket, 'StandbyReplicationRole', replicationRoleName(env));
  const sourceAccess = new iam.ManagedPolicy(bucket, 'StandbyReplicationSourceAccess', {
    description: `S3 replication of the ${purpose} bucket to ${region}: read versions, decrypt, replicate`,
    roles: [role],
  });
  bucket.replicateTo({
    destination: s3.Bucket.fromBucketAttributes(bucket, 'StandbyReplica', {
      bucketName: standbyBucketName(env, REPLICATED_BUCKETS[purpose]),
      region,
    }),
    replicaKeyArn: stack.formatArn({
      service: 'kms',
      region,
      resource: 'alias',
      resourceName: standbyKeyAlias(env),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
    role,
    sourceAccess,
  });
}
