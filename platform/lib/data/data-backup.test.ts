import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { describe, expect, it } from 'vitest';
import { DataBackup, type DataBackupProps, LockedVault } from './data-backup.js';

// The construct on its own, without the platform's synth: the constructor refuses what AWS Backup
// would only reject at deploy time (or, worse, accept and then never back anything up).

const BUCKET = 'arn:aws:s3:::example-bucket';

function build(overrides: Partial<DataBackupProps> = {}): { stack: Stack; backup: DataBackup } {
  const stack = new Stack(new App(), 'Probe', { env: { account: '123456789012', region: 'eu-central-1' } });
  const backup = new DataBackup(stack, 'Backup', {
    vaultName: 'probe-backup',
    planName: 'probe-plan',
    encryptionKey: new kms.Key(stack, 'Key'),
    bucketArns: [BUCKET],
    ...overrides,
  });
  return { stack, backup };
}

const compliance = {
  mode: 'COMPLIANCE' as const,
  minRetention: Duration.days(30),
  maxRetention: Duration.days(365),
};

describe('DataBackup', () => {
  it('defaults to a daily 35-day rule, no lock and no copy', () => {
    const template = Template.fromStack(build().stack);
    const plan = Object.values(template.findResources('AWS::Backup::BackupPlan'))[0];
    expect(plan?.Properties).toMatchObject({
      BackupPlan: {
        BackupPlanName: 'probe-plan',
        BackupPlanRule: [
          {
            RuleName: 'daily',
            ScheduleExpression: 'cron(30 2 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            StartWindowMinutes: 60,
            CompletionWindowMinutes: 480,
            TargetBackupVault: { 'Fn::GetAtt': [expect.any(String), 'BackupVaultName'] },
          },
        ],
      },
    });
    const vault = Object.values(template.findResources('AWS::Backup::BackupVault'))[0];
    expect(vault?.Properties?.LockConfiguration).toBeUndefined();
  });

  it('applies a COMPLIANCE lock with the default 3-day grace period and copies by name to the copy region', () => {
    const { stack, backup } = build({ vaultLock: compliance, copyRegion: 'eu-west-1' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 30, MaxRetentionDays: 365, ChangeableForDays: 3 },
    });
    expect(stack.resolve(backup.copyVaultArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:backup-vault:probe-backup'],
      ],
    });
  });

  it('renders GOVERNANCE as a lock without a grace period', () => {
    const template = Template.fromStack(
      build({ vaultLock: { ...compliance, mode: 'GOVERNANCE' }, retention: Duration.days(30) }).stack,
    );
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 30, MaxRetentionDays: 365 },
    });
  });

  it('adds the S3 backup and restore policies only when buckets are selected', () => {
    const stack = new Stack(new App(), 'Db', { env: { account: '123456789012', region: 'eu-central-1' } });
    new DataBackup(stack, 'Backup', {
      vaultName: 'db-backup',
      planName: 'db-plan',
      encryptionKey: new kms.Key(stack, 'Key'),
      databaseClusters: [
        rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Db', { clusterIdentifier: 'db' }),
      ],
    });
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(policies).toContain('service-role/AWSBackupServiceRolePolicyForBackup');
    expect(policies).not.toContain('S3Backup');
    expect(JSON.stringify(Template.fromStack(build().stack).findResources('AWS::IAM::Role'))).toContain(
      'AWSBackupServiceRolePolicyForS3Backup',
    );
  });

  it.each<[string, Partial<DataBackupProps>, RegExp]>([
    ['nothing selected', { bucketArns: [] }, /nothing to back up/],
    [
      'retention outside the lock',
      { vaultLock: compliance, retention: Duration.days(400) },
      /retention \(400 days\) must lie within vaultLock's 30-365 days/,
    ],
    [
      'lock maximum not above its minimum',
      { vaultLock: { ...compliance, maxRetention: Duration.days(30) }, retention: Duration.days(30) },
      /maxRetention \(30 days\) must exceed minRetention/,
    ],
    [
      'a grace period under 72 hours',
      { vaultLock: { ...compliance, changeableFor: Duration.days(2) }, retention: Duration.days(35) },
      /changeableFor must be at least 3 days/,
    ],
    [
      'a grace period on a GOVERNANCE lock',
      {
        vaultLock: { ...compliance, mode: 'GOVERNANCE', changeableFor: Duration.days(3) },
        retention: Duration.days(35),
      },
      /changeableFor applies to COMPLIANCE mode only/,
    ],
    [
      'a copy into its own region',
      { copyRegion: 'eu-central-1' },
      /copyRegion must differ from the stack's region eu-central-1/,
    ],
    [
      'a copy region that is no region',
      { copyRegion: 'ireland' },
      /copyRegion 'ireland' is not an AWS region/,
    ],
    ['a vault name AWS refuses', { vaultName: 'bank prod' }, /vaultName 'bank prod' must be 2-50 letters/],
  ])('refuses %s, naming the property', (_what, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe('LockedVault', () => {
  it('denies deleting or shortening recovery points to every principal and is kept on stack deletion', () => {
    const stack = new Stack(new App(), 'Copy', { env: { account: '123456789012', region: 'eu-west-1' } });
    new LockedVault(stack, 'Vault', { vaultName: 'copy', encryptionKey: new kms.Key(stack, 'Key') });
    const [vault] = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupVault'));
    expect(vault).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        BackupVaultName: 'copy',
        AccessPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
              Resource: '*',
            },
          ],
        },
        EncryptionKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      },
    });
  });
});
