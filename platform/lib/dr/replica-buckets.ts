import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SecureBucket } from '../shared/secure-bucket.js';

/** One bucket of another region that is replicated into this one. */
export interface ReplicaSpec {
  /** Construct id of the replica bucket. */
  readonly id: string;
  readonly bucketName: string;
  /** The source bucket's name (in `ReplicaBucketsProps.sourceRegion`). */
  readonly sourceBucketName: string;
  /**
   * The source's Object Lock default retention. S3 copies each version's retention with it, but only
   * into a bucket with Object Lock enabled; the same default covers versions written without one.
   *
   * @default - no Object Lock (the source has none)
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;
  /** @default - the SecureBucket defaults only (noncurrent versions expire after 90 days) */
  readonly lifecycleRules?: s3.LifecycleRule[];
}

export interface ReplicaBucketsProps {
  /** Region of the source buckets; must differ from this stack's. */
  readonly sourceRegion: string;
  readonly replicas: readonly ReplicaSpec[];
  /** A key of this region: every replica is re-encrypted with it. */
  readonly encryptionKey: kms.IKey;
  /** The server-access-log bucket of this region (S3 delivers logs within a region only). */
  readonly accessLogsBucketName: string;
  /**
   * Name of the role S3 assumes to replicate. The source stacks import it by this name and attach
   * their side of the permissions (`SecureBucket.replicateTo`).
   */
  readonly roleName: string;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * Replica buckets in this region for buckets of another region, and the role S3 replicates with.
 * The role gets what concerns this region here (encrypt with the replicas' key); the source stacks
 * grant the rest, so neither region's stack names a resource of the other by reference.
 */
export class ReplicaBuckets extends Construct {
  readonly role: iam.Role;
  /** Replica buckets by construct id. */
  readonly buckets: ReadonlyMap<string, SecureBucket>;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ReplicaBucketsProps) {
    super(scope, id);
    if (props.replicas.length === 0) throw new Error(`${this.node.path}: replicas must not be empty`);
    const names = props.replicas.map((r) => r.bucketName);
    if (new Set(names).size !== names.length) {
      throw new Error(`${this.node.path}: replica bucket names must be unique`);
    }
    if (!REGION.test(props.sourceRegion)) {
      throw new Error(`${this.node.path}: sourceRegion '${props.sourceRegion}' is not an AWS region`);
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region === props.sourceRegion) {
      throw new Error(`${this.node.path}: sourceRegion must differ from this stack's region ${region}`);
    }
    this.encryptionKey = props.encryptionKey;

    this.role = new iam.Role(this, 'ReplicationRole', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `S3 replication of ${props.replicas.map((r) => r.sourceBucketName).join(', ')} into ${region}`,
    });
    // A managed policy rather than the role's inline default policy, like the source side's.
    const replicaAccess = new iam.ManagedPolicy(this, 'ReplicaAccess', {
      description: `S3 replication into ${region}: encrypt replicas with this region's key`,
      roles: [this.role],
    });
    this.grantReplicaEncryption(replicaAccess);

    const buckets = new Map<string, SecureBucket>();
    for (const replica of props.replicas) {
      buckets.set(
        replica.id,
        new SecureBucket(this, replica.id, {
          bucketName: replica.bucketName,
          encryptionKey: props.encryptionKey,
          accessLogsBucketName: props.accessLogsBucketName,
          objectLockRetention: replica.objectLockRetention,
          lifecycleRules: replica.lifecycleRules,
        }),
      );
    }
    this.buckets = buckets;
  }

  /**
   * Lets `grantee` encrypt replicas with this region's key, as S3 does on the replication role's
   * behalf: kms:Encrypt, and kms:GenerateDataKey for the replicas' S3 Bucket Key. Narrower than
   * `grantEncrypt`, which adds every ReEncrypt and GenerateDataKey variant.
   */
  grantReplicaEncryption(grantee: iam.IGrantable): iam.Grant {
    return this.encryptionKey.grant(grantee, 'kms:Encrypt', 'kms:GenerateDataKey');
  }
}
