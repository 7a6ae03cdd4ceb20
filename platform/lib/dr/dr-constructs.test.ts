import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { SecureBucket } from '../shared/secure-bucket.js';
import { AuroraGlobalDatabase } from './global-database.js';
import { ReplicaBuckets } from './replica-buckets.js';
import { AuroraSecondaryCluster } from './secondary-cluster.js';

// The DR constructs on their own, in plain stacks: validation and the resources each one adds.

const env = (region: string) => ({ account: '123456789012', region });

function standbyStack(): { stack: Stack; vpc: ec2.Vpc; key: kms.Key } {
  const stack = new Stack(new App(), 'Standby', { env: env('eu-west-1') });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  return { stack, vpc, key: new kms.Key(stack, 'Key') };
}

const secondaryProps = (vpc: ec2.IVpc, key: kms.IKey) => ({
  vpc,
  clusterIdentifier: 'bank-test-aurora-dr',
  globalClusterIdentifier: 'bank-test-aurora-global',
  engineVersion: rds.AuroraPostgresEngineVersion.VER_17_5,
  encryptionKey: key,
  logKey: key,
  parameters: { 'rds.force_ssl': '1' },
});

describe('AuroraGlobalDatabase', () => {
  const primaryStack = () => {
    const stack = new Stack(new App(), 'Primary', { env: env('eu-central-1') });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-central-1a', 'eu-central-1b'] });
    const primary = new rds.DatabaseCluster(stack, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_5 }),
      writer: rds.ClusterInstance.provisioned('writer'),
      vpc,
    });
    return { stack, primary };
  };

  it('builds the global database from the primary, deletion-protected and retained by default', () => {
    const { stack, primary } = primaryStack();
    new AuroraGlobalDatabase(stack, 'Global', { globalClusterIdentifier: 'bank-test-global', primary });
    Template.fromStack(stack).hasResource('AWS::RDS::GlobalCluster', {
      Properties: {
        GlobalClusterIdentifier: 'bank-test-global',
        DeletionProtection: true,
        SourceDBClusterIdentifier: Match.anyValue(),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it.each(['1global', 'bank--global', 'bank-global-', 'bank_global', 'a'.repeat(64)])(
    'refuses the identifier %s',
    (globalClusterIdentifier) => {
      const { stack, primary } = primaryStack();
      expect(() => new AuroraGlobalDatabase(stack, 'Global', { globalClusterIdentifier, primary })).toThrow(
        /globalClusterIdentifier .* must be 1-63 letters/,
      );
    },
  );
});

describe('AuroraSecondaryCluster', () => {
  it('joins the global database headless: no instance, no master user, encrypted, IAM auth, no ingress', () => {
    const { stack, vpc, key } = standbyStack();
    const secondary = new AuroraSecondaryCluster(stack, 'Secondary', secondaryProps(vpc, key));
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    secondary.grantConnect(role, 'bank_api');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        GlobalClusterIdentifier: 'bank-test-aurora-global',
        Engine: 'aurora-postgresql',
        EngineVersion: '17.5',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 35,
        MasterUsername: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({
            Action: 'rds-db:connect',
            Resource: Match.objectLike({
              'Fn::Join': Match.arrayWith([
                Match.arrayWith([
                  Match.objectLike({ 'Fn::GetAtt': [Match.anyValue(), 'DBClusterResourceId'] }),
                ]),
              ]),
            }),
          }),
        ],
      }),
    });
  });

  it.each([
    [{ clusterIdentifier: 'bank_dr' }, /clusterIdentifier 'bank_dr'/],
    [{ globalClusterIdentifier: '9global' }, /globalClusterIdentifier '9global'/],
    [{ backupRetention: Duration.days(36) }, /backupRetention must be 1-35 days/],
    [{ port: 80 }, /port must be an integer in 1150-65535/],
  ] as const)('refuses %o', (override, message) => {
    const { stack, vpc, key } = standbyStack();
    expect(
      () => new AuroraSecondaryCluster(stack, 'Secondary', { ...secondaryProps(vpc, key), ...override }),
    ).toThrow(message);
  });

  it('refuses a database role that is not a PostgreSQL name', () => {
    const { stack, vpc, key } = standbyStack();
    const secondary = new AuroraSecondaryCluster(stack, 'Secondary', secondaryProps(vpc, key));
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => secondary.grantConnect(role, 'bank-api')).toThrow(/not a PostgreSQL role name/);
  });
});

describe('ReplicaBuckets', () => {
  const replicas = [
    {
      id: 'AuditReplica',
      bucketName: 'bank-test-audit-replica-123456789012-eu-west-1',
      sourceBucketName: 'bank-test-audit-123456789012-eu-central-1',
      objectLockRetention: s3.ObjectLockRetention.compliance(Duration.days(30)),
    },
  ];
  const props = (key: kms.IKey) => ({
    sourceRegion: 'eu-central-1',
    replicas,
    encryptionKey: key,
    accessLogsBucketName: 'bank-test-access-logs-123456789012-eu-west-1',
    roleName: 'bank-test-s3-replication',
  });

  it('creates locked, encrypted replicas and a role S3 assumes that may encrypt with the key only', () => {
    const { stack, key } = standbyStack();
    new ReplicaBuckets(stack, 'Replicas', props(key));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'bank-test-audit-replica-123456789012-eu-west-1',
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'bank-test-s3-replication' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Action: ['kms:Encrypt', 'kms:GenerateDataKey'] })],
      }),
    });
  });

  it('refuses no replicas, duplicate names and a source in its own region', () => {
    const cases: [Partial<ReturnType<typeof props>>, RegExp][] = [
      [{ replicas: [] }, /replicas must not be empty/],
      [{ replicas: [...replicas, { ...replicas[0], id: 'Again' }] as typeof replicas }, /must be unique/],
      [{ sourceRegion: 'eu-west-1' }, /sourceRegion must differ/],
      [{ sourceRegion: 'europe' }, /is not an AWS region/],
    ];
    for (const [override, message] of cases) {
      const { stack, key } = standbyStack();
      expect(() => new ReplicaBuckets(stack, 'Replicas', { ...props(key), ...override })).toThrow(message);
    }
  });
});

describe('SecureBucket.replicateTo', () => {
  const setup = () => {
    const stack = new Stack(new App(), 'Source', { env: env('eu-central-1') });
    const key = new kms.Key(stack, 'Key');
    const bucket = new SecureBucket(stack, 'Bucket', {
      bucketName: 'bank-test-audit-123456789012-eu-central-1',
      encryptionKey: key,
      objectLockRetention: s3.ObjectLockRetention.governance(Duration.days(1)),
    });
    const role = iam.Role.fromRoleName(stack, 'Role', 'bank-test-s3-replication');
    const sourceAccess = new iam.ManagedPolicy(stack, 'Access', { roles: [role] });
    const destination = s3.Bucket.fromBucketAttributes(stack, 'Replica', {
      bucketName: 'bank-test-audit-replica-123456789012-eu-west-1',
      region: 'eu-west-1',
    });
    return { stack, bucket, role, sourceAccess, destination };
  };

  it('replicates every version but no delete marker, and grants the source side to the policy', () => {
    const { stack, bucket, role, sourceAccess, destination } = setup();
    bucket.replicateTo({
      destination,
      role,
      sourceAccess,
      replicaKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/bank-test-dr',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: Match.anyValue(),
        Rules: [
          Match.objectLike({
            DeleteMarkerReplication: { Status: 'Disabled' },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Destination: Match.objectLike({
              EncryptionConfiguration: {
                ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:123456789012:alias/bank-test-dr',
              },
            }),
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['bank-test-s3-replication'],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'kms:Decrypt' }),
          Match.objectLike({ Action: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'] }),
        ]),
      }),
    });
  });

  it('refuses a second destination and a replica key that is not a KMS ARN', () => {
    const { bucket, role, sourceAccess, destination } = setup();
    expect(() =>
      bucket.replicateTo({ destination, role, sourceAccess, replicaKeyArn: 'alias/bank-test-dr' }),
    ).toThrow(/must be a KMS key or alias ARN/);
    const replicaKeyArn = 'arn:aws:kms:eu-west-1:123456789012:alias/bank-test-dr';
    bucket.replicateTo({ destination, role, sourceAccess, replicaKeyArn });
    expect(() => bucket.replicateTo({ destination, role, sourceAccess, replicaKeyArn })).toThrow(
      /already called/,
    );
  });
});
