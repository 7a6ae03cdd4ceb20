import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { SecureBucket } from '../shared/secure-bucket.js';

/**
 * The target of every bucket's server access logs. S3 log delivery cannot write to SSE-KMS buckets,
 * so this bucket alone uses SSE-S3. Any bucket of this account may deliver into it.
 *
 * No Object Lock: the S3 User Guide ("Configuring S3 Object Lock") says a bucket with Object Lock
 * cannot be the destination of server access logs at all (not only one with a default retention).
 * Instead the bucket policy denies deleting an object version to every principal, so a compromised
 * admin or CI role cannot purge the logs version by version; only the lifecycle rules below (which
 * bucket policies do not apply to) remove them. Changing the policy itself is a management event
 * the audit trail records.
 */
export function accessLogsBucket(scope: Construct, id: string, bucketName: string): s3.Bucket {
  const bucket = new SecureBucket(scope, id, {
    bucketName,
    lifecycleRules: [
      {
        id: 'archive-then-expire',
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
        ],
        expiration: Duration.days(400),
      },
    ],
  });
  const stack = Stack.of(bucket);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsDelivery',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:s3:::bank-*` },
      },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyPurgingAccessLogs',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:DeleteObjectVersion'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  return bucket;
}
