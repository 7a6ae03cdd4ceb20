import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

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
    if (props.accessLogsBucketName) {
      Annotations.of(this).acknowledgeWarning(
        '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
        'The access-log bucket is referenced by name across stacks on purpose; its own bucket policy admits ' +
          'logging.s3.amazonaws.com for every bank-* bucket of this account.',
      );
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
