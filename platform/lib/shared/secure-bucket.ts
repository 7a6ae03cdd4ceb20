import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Object Lock default retention from the config's mode and days (audit and backups buckets). */
export function objectLockRetention(mode: 'COMPLIANCE' | 'GOVERNANCE', days: number): s3.ObjectLockRetention {
  return mode === 'COMPLIANCE'
    ? s3.ObjectLockRetention.compliance(Duration.days(days))
    : s3.ObjectLockRetention.governance(Duration.days(days));
}

/** Where `SecureBucket.replicateTo` sends every new object version. */
export interface BucketReplicationProps {
  /**
   * The replica bucket, usually in another region (imported by name: CloudFormation has no
   * cross-region references). It must exist, be versioned and, when this bucket has Object Lock,
   * have Object Lock enabled too.
   */
  readonly destination: s3.IBucket;
  /**
   * Key (ARN or alias ARN) in the destination's region that S3 encrypts the replicas with. An alias
   * ARN lets a stack in another region name the key before its id is known; the role must be allowed
   * to use the key through the key's owner (`ReplicaBuckets.grantReplicaEncryption`).
   */
  readonly replicaKeyArn: string;
  /** The role S3 assumes to replicate (imported by ARN when it lives in the destination's stack). */
  readonly role: iam.IRole;
  /**
   * Attached to `role` with what replication needs of this bucket and its key: read of object versions,
   * their tags, retention and legal holds; decrypt with this bucket's key; replicate into the destination.
   */
  readonly sourceAccess: iam.ManagedPolicy;
}

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Customer-managed key; without one the bucket uses SSE-S3 (only for the access-log bucket). */
  readonly encryptionKey?: kms.IKey;
  /** Name of the bucket that receives this bucket's server access logs. */
  readonly accessLogsBucketName?: string;
  readonly accessLogsPrefix?: string;
  readonly lifecycleRules?: s3.LifecycleRule[];
  readonly objectLockRetention?: s3.ObjectLockRetention;
}

/**
 * A private bucket: public access blocked, TLS-only policy, versioned, encrypted, retained on stack
 * deletion, with noncurrent versions expiring so versioning does not grow without bound.
 */
export class SecureBucket extends s3.Bucket {
  private readonly dataKey: kms.IKey | undefined;

  private readonly objectLock: boolean;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined,
      // Imported by name so a bucket in another stack can log here without a cross-stack cycle; the
      // log bucket's own policy admits the S3 logging service for this account.
      serverAccessLogsBucket: props.accessLogsBucketName
        ? s3.Bucket.fromBucketName(scope, `${id}AccessLogsTarget`, props.accessLogsBucketName)
        : undefined,
      serverAccessLogsPrefix: props.accessLogsBucketName
        ? (props.accessLogsPrefix ?? `${props.bucketName}/`)
        : undefined,
      objectLockEnabled: props.objectLockRetention !== undefined ? true : undefined,
      objectLockDefaultRetention: props.objectLockRetention,
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.lifecycleRules ?? []),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.dataKey = props.encryptionKey;
    this.objectLock = props.objectLockRetention !== undefined;
    if (props.accessLogsBucketName) {
      Annotations.of(this).acknowledgeWarning(
        '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
        'The access-log bucket is referenced by name across stacks on purpose; its own bucket policy admits ' +
          'logging.s3.amazonaws.com for every bank-* bucket of this account.',
      );
    }
  }

  /**
   * Replicates every new object version (KMS-encrypted ones included, delete markers not) to one
   * destination with S3 Replication. Object Lock retention travels with each version. The role's
   * permissions on this side are granted to `props.sourceAccess`.
   */
  replicateTo(props: BucketReplicationProps): void {
    const cfn = this.node.defaultChild as s3.CfnBucket;
    if (cfn.replicationConfiguration !== undefined) {
      throw new Error(`${this.node.path}: replicateTo() was already called; one destination per bucket`);
    }
    if (
      !Token.isUnresolved(props.replicaKeyArn) &&
      !/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(props.replicaKeyArn)
    ) {
      throw new Error(
        `${this.node.path}: replicaKeyArn '${props.replicaKeyArn}' must be a KMS key or alias ARN`,
      );
    }
    cfn.replicationConfiguration = {
      role: props.role.roleArn,
      rules: [
        {
          id: 'replicate-all-versions',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          // A delete marker is not replicated: a purge in this region must not reach the replica.
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: props.destination.bucketArn,
            encryptionConfiguration: { replicaKmsKeyId: props.replicaKeyArn },
          },
        },
      ],
    };
    // Source reads, replicate into the destination, decrypt with this bucket's key.
    this.grantReplicationPermission(props.sourceAccess, { destinations: [{ bucket: props.destination }] });
    if (this.objectLock) {
      iam.Grant.addToPrincipal({
        grantee: props.sourceAccess,
        actions: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
        resourceArns: [this.arnForObjects('*')],
      });
    }
  }

  /**
   * Read, write and delete under one key prefix, and list only that prefix; the bucket key is usable
   * only through S3. Narrower than `grantReadWrite(grantee, pattern)`, which lists the whole bucket
   * and lets the key be used from any service.
   */
  grantPrefixReadWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix)) {
      throw new Error(`grantPrefixReadWrite: prefix '${prefix}' must be a key prefix ending in '/'`);
    }
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resourceArns: [this.arnForObjects(`${prefix}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    });
    if (this.dataKey) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resourceArns: [this.dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      });
    }
    return grant;
  }
}
