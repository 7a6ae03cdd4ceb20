import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../shared/log-groups.js';
import { objectLockRetention, SecureBucket } from '../shared/secure-bucket.js';

export interface AuditTrailProps {
  readonly trailName: string;
  readonly bucketName: string;
  readonly accessLogsBucketName: string;
  readonly key: kms.Key;
  /** COMPLIANCE cannot be shortened by anyone (prod); GOVERNANCE can by privileged users (dev). */
  readonly objectLockMode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly objectLockDays: number;
  /**
   * Buckets whose object-level reads and writes are recorded as S3 data events, besides the audit
   * bucket itself. Names, not constructs: the buckets of later stacks (backups, assets) cannot be
   * referenced from this one without a dependency cycle.
   * @default none
   */
  readonly dataEventBucketNames?: readonly string[];
}

/** Multi-region CloudTrail into an Object-Locked, KMS-encrypted bucket and an encrypted log group. */
export class AuditTrail extends Construct {
  readonly bucket: SecureBucket;
  readonly trail: cloudtrail.Trail;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const retention = objectLockRetention(props.objectLockMode, props.objectLockDays);

    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryptionKey: props.key,
      accessLogsBucketName: props.accessLogsBucketName,
      objectLockRetention: retention,
      lifecycleRules: [
        {
          id: 'archive-audit-logs',
          transitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
            { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(365) },
          ],
        },
      ],
    });

    const trailArn = stack.formatArn({
      service: 'cloudtrail',
      resource: 'trail',
      resourceName: props.trailName,
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
          },
        },
      }),
    );

    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      logGroupName: `/bank/audit/${props.trailName}`,
      encryptionKey: props.key,
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: props.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });

    // Management events show who changed a bucket's policy, never who read or deleted its objects;
    // for evidence, backups and customer assets that is the question an investigation asks. The
    // audit bucket is included: CloudTrail's own deliveries add one write event per log file.
    const names = props.dataEventBucketNames ?? [];
    if (new Set(names).size !== names.length)
      throw new Error('AuditTrail: dataEventBucketNames has duplicates');
    this.trail.addS3EventSelector(
      [
        this.bucket,
        ...names.map((name, i) => s3.Bucket.fromBucketName(this, `DataEventBucket${i}`, name)),
      ].map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false },
    );
  }
}
