import * as blueprints from '@aws-quickstart/eks-blueprints';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config/index.js';
import { createPlatformApp, type EnvironmentStacks } from '../lib/platform-app.js';
import { resourcesOfType, type SynthesizedEnvironment, synthesize } from './synth.js';

// Regional disaster recovery (issue 11, docs/adr/0008): prod gets a headless Aurora Global Database
// secondary and replicas of the audit and backups buckets in its standby region; dev gets none.

const prodConfig = loadEnvironment('prod');
const devConfig = loadEnvironment('dev');
let prod: SynthesizedEnvironment;
// dev is only built, not synthesized: dev.test.ts synthesizes it (compliance included), and one long
// synchronous synth per file keeps the test worker responsive on a loaded 2-core machine.
let dev: EnvironmentStacks;

beforeAll(async () => {
  prod = await synthesize(prodConfig);
  blueprints.utils.userLog.settings.minLevel = 3;
  const built = (await createPlatformApp([devConfig])).environments.get('dev');
  if (!built) throw new Error('dev was not built');
  dev = built;
}, 600_000);

/** L1 resources of one kind below a stack, from the construct tree (no synth). */
const cfnOf = <T>(stack: Stack, type: new (...args: never[]) => T): T[] =>
  stack.node.findAll().filter((c): c is T & typeof c => c instanceof type);

const standbyOf = (env: SynthesizedEnvironment) => {
  if (!env.standby) throw new Error('no standby stacks');
  return env.standby;
};

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };

describe('prod: standby region', () => {
  it('puts both standby stacks in disasterRecovery.region, which is the backup copy region', () => {
    expect(standbyOf(prod).region).toBe('eu-west-1');
    expect(prodConfig.disasterRecovery?.region).toBe(prodConfig.backup.copyRegion);
  });

  it('turns the primary Aurora cluster into a global database, kept and deletion-protected', () => {
    prod.templates.cluster.hasResource('AWS::RDS::GlobalCluster', {
      Properties: {
        GlobalClusterIdentifier: 'bank-prod-aurora-global',
        DeletionProtection: true,
        SourceDBClusterIdentifier: join(
          'arn:',
          partition,
          `:rds:${prodConfig.region}:${prodConfig.account}:cluster:`,
          Match.objectLike({ Ref: Match.stringLikeRegexp('^AuroraCluster') }),
        ),
        Tags: Match.anyValue(),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('attaches a headless secondary cluster to it: same engine version, own key, IAM auth, no instance', () => {
    const { database } = standbyOf(prod);
    database.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        DBClusterIdentifier: 'bank-prod-aurora-dr',
        GlobalClusterIdentifier: 'bank-prod-aurora-global',
        Engine: 'aurora-postgresql',
        EngineVersion: '17.5',
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('^bank-prod-dr-storage:.*StandbyKey') },
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 35,
        EnableCloudwatchLogsExports: ['postgresql'],
      }),
      DeletionPolicy: 'Retain',
    });
    const [cluster] = resourcesOfType(database, 'AWS::RDS::DBCluster');
    expect(cluster?.Properties).not.toHaveProperty('MasterUsername');
    expect(cluster?.Properties).not.toHaveProperty('DatabaseName');
    database.resourceCountIs('AWS::RDS::DBInstance', 0);
    database.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' }),
    });
  });

  it('runs the secondary in a VPC of isolated subnets only, with flow logs and no ingress', () => {
    const { database } = standbyOf(prod);
    database.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.21.0.0/16' });
    database.resourceCountIs('AWS::EC2::InternetGateway', 0);
    database.resourceCountIs('AWS::EC2::NatGateway', 0);
    const zones = resourcesOfType(database, 'AWS::EC2::Subnet').map((s) => s.Properties?.AvailabilityZone);
    expect(zones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    database.resourceCountIs('AWS::EC2::FlowLog', 1);
    database.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Aurora standby'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  it("publishes the bank API's connection facts for the standby under the primary's secret name", () => {
    standbyOf(prod).database.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'bank/prod/bank-api/database',
      SecretString: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Endpoint.Address']) })]),
        ]),
      }),
    });
  });

  it('creates a rotating key with an alias the primary region names the replicas key by', () => {
    const { storage } = standbyOf(prod);
    storage.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    storage.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/bank-prod-dr' });
  });

  it('keeps replicas of the audit and backups buckets, KMS-encrypted, versioned, locked like their sources', () => {
    const { storage } = standbyOf(prod);
    const replica = (name: string, mode: string, days: number) =>
      storage.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: name,
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: days } },
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            }),
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: Match.anyValue(),
          LogFilePrefix: `${name}/`,
        },
      });
    replica(`bank-prod-audit-replica-${prodConfig.account}-eu-west-1`, 'COMPLIANCE', 2555);
    replica(`bank-prod-backups-replica-${prodConfig.account}-eu-west-1`, 'COMPLIANCE', 35);
  });

  it('lets the replication role encrypt with the standby key only (no wildcard actions)', () => {
    const { storage } = standbyOf(prod);
    storage.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'bank-prod-s3-replication',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })],
      }),
    });
    storage.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StandbyKey'), 'Arn'] },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it.each([
    ['security', 'audit'],
    ['cluster', 'backups'],
  ] as const)("replicates the %s stack's %s bucket to its replica, delete markers not", (stack, purpose) => {
    prod.templates[stack].hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `bank-prod-${purpose}-${prodConfig.account}-${prodConfig.region}`,
      ReplicationConfiguration: {
        Role: join('arn:', partition, `:iam::${prodConfig.account}:role/bank-prod-s3-replication`),
        Rules: [
          {
            Id: 'replicate-all-versions',
            Status: 'Enabled',
            Priority: 1,
            Filter: { Prefix: '' },
            DeleteMarkerReplication: { Status: 'Disabled' },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Destination: {
              Bucket: join(
                'arn:',
                partition,
                `:s3:::bank-prod-${purpose}-replica-${prodConfig.account}-eu-west-1`,
              ),
              EncryptionConfiguration: {
                ReplicaKmsKeyID: join(
                  'arn:',
                  partition,
                  `:kms:eu-west-1:${prodConfig.account}:alias/bank-prod-dr`,
                ),
              },
            },
          },
        ],
      },
    });
    // The source side of the role: read versions and their locks, decrypt with the bucket's key.
    prod.templates[stack].hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['bank-prod-s3-replication'],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'kms:Decrypt' }),
          Match.objectLike({ Action: ['s3:GetObjectLegalHold', 's3:GetObjectRetention'] }),
        ]),
      }),
    });
  });

  it('locks the backups bucket in COMPLIANCE mode for backupsObjectLock.days', () => {
    prod.templates.cluster.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `bank-prod-backups-${prodConfig.account}-${prodConfig.region}`,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 35 } },
      },
    });
  });

  it('denies deleting access-log versions to everyone (Object Lock is not allowed on a log target)', () => {
    for (const template of [prod.templates.security, standbyOf(prod).storage]) {
      const bucket = resourcesOfType(template, 'AWS::S3::Bucket').find((b) =>
        String(b.Properties?.BucketName).includes('-access-logs-'),
      );
      expect(bucket?.Properties).not.toHaveProperty('ObjectLockConfiguration');
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'DenyPurgingAccessLogs',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:DeleteObjectVersion',
            }),
          ]),
        }),
      });
    }
  });

  it('leaves no compliance finding unacknowledged and asks for no context lookup', () => {
    expect(prod.complianceFindings).toEqual([]);
    expect(prod.missingContext).toEqual([]);
  });
});

describe('dev: no standby region', () => {
  it('has no standby stacks, no global database and no replication', () => {
    expect(devConfig.disasterRecovery).toBeUndefined();
    expect(dev.standbyStorage).toBeUndefined();
    expect(dev.standbyDatabase).toBeUndefined();
    expect(cfnOf(dev.cluster, rds.CfnGlobalCluster)).toEqual([]);
    const buckets = [dev.security, dev.cluster].flatMap((stack) => cfnOf(stack, s3.CfnBucket));
    expect(buckets.length).toBeGreaterThanOrEqual(4);
    for (const bucket of buckets) expect(bucket.replicationConfiguration).toBeUndefined();
  });

  it('keeps the backups bucket without Object Lock (no backupsObjectLock), the access logs still undeletable', () => {
    const backups = cfnOf(dev.cluster, s3.CfnBucket).find(
      (b) => b.bucketName === `bank-dev-backups-${devConfig.account}-${devConfig.region}`,
    );
    expect(backups).toBeDefined();
    expect(backups?.objectLockConfiguration).toBeUndefined();
    const policy = cfnOf(dev.security, s3.CfnBucketPolicy)
      .map((p) => JSON.stringify(dev.security.resolve(p.policyDocument)))
      .find((doc) => doc.includes('DenyPurgingAccessLogs'));
    expect(policy).toContain('"Effect":"Deny"');
    expect(policy).toContain('s3:DeleteObjectVersion');
  });
});
