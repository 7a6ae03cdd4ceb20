import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** AWS Backup Vault Lock. */
export interface VaultLockProps {
  /**
   * COMPLIANCE: once `changeableFor` has passed, nobody (root included) can delete a recovery point
   * before its retention ends, shorten it or remove the lock. GOVERNANCE: the same rules, but a
   * principal allowed `backup:DeleteBackupVaultLockConfiguration` can lift them.
   */
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
  /** Recovery points kept shorter than this are refused. At least one day. */
  readonly minRetention: Duration;
  /** Recovery points kept longer than this are refused. At most 36,500 days. */
  readonly maxRetention: Duration;
  /**
   * COMPLIANCE only: the grace period in which the lock can still be removed. AWS requires at least
   * 72 hours.
   *
   * @default Duration.days(3)
   */
  readonly changeableFor?: Duration;
}

export interface LockedVaultProps {
  /** 2-50 letters, digits, '-' or '_'. The copy vault in another region carries the same name. */
  readonly vaultName: string;
  /** Customer-managed key for recovery points that are not already encrypted by their source service. */
  readonly encryptionKey: kms.IKey;
  /** @default - no Vault Lock */
  readonly lock?: VaultLockProps;
  /** Failed backup and copy jobs are published here. @default - no notifications */
  readonly notificationTopic?: sns.ITopic;
}

export interface DataBackupProps {
  /** The vault in this stack's region; the copy vault in `copyRegion` must carry the same name. */
  readonly vaultName: string;
  readonly planName: string;
  /** Encrypts recovery points of the vault (S3); Aurora snapshots keep their cluster's key. */
  readonly encryptionKey: kms.IKey;
  /** Aurora clusters to back up. @default - none */
  readonly databaseClusters?: readonly rds.IDatabaseCluster[];
  /** Buckets to back up, by ARN (versioning must be on: AWS Backup for S3 requires it). @default - none */
  readonly bucketArns?: readonly string[];
  /** How long each daily recovery point (and its copy) is kept. @default Duration.days(35) */
  readonly retention?: Duration;
  /**
   * When the daily backup starts. After Aurora's own backup window (01:00-02:00 UTC) so the two do
   * not compete for I/O.
   *
   * @default 02:30 UTC every day
   */
  readonly schedule?: events.Schedule;
  /** @default - no Vault Lock */
  readonly vaultLock?: VaultLockProps;
  /**
   * A second region every recovery point is copied to, into a vault of the same name there
   * (BackupCopyStack creates it).
   *
   * @default - no copy
   */
  readonly copyRegion?: string;
  /** Failed backup and copy jobs are published here. @default - no notifications */
  readonly notificationTopic?: sns.ITopic;
}

const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const DEFAULT_RETENTION = Duration.days(35);
const DEFAULT_GRACE = Duration.days(3);

/** The events an operator must hear about; successes would only train people to ignore the topic. */
export const BACKUP_FAILURE_EVENTS = [
  backup.BackupVaultEvents.BACKUP_JOB_FAILED,
  backup.BackupVaultEvents.BACKUP_JOB_EXPIRED,
  backup.BackupVaultEvents.COPY_JOB_FAILED,
  backup.BackupVaultEvents.S3_BACKUP_OBJECT_FAILED,
];

function validateLock(scope: Construct, lock: VaultLockProps, retention?: Duration): void {
  const min = lock.minRetention.toDays();
  const max = lock.maxRetention.toDays();
  if (min < 1) throw new Error(`${scope.node.path}: vaultLock.minRetention must be at least 1 day`);
  if (max > 36_500) throw new Error(`${scope.node.path}: vaultLock.maxRetention must be at most 36500 days`);
  if (max <= min) {
    throw new Error(
      `${scope.node.path}: vaultLock.maxRetention (${max} days) must exceed minRetention (${min} days)`,
    );
  }
  if (lock.mode === 'GOVERNANCE' && lock.changeableFor !== undefined) {
    throw new Error(`${scope.node.path}: vaultLock.changeableFor applies to COMPLIANCE mode only`);
  }
  if (lock.mode === 'COMPLIANCE' && (lock.changeableFor ?? DEFAULT_GRACE).toHours() < 72) {
    throw new Error(
      `${scope.node.path}: vaultLock.changeableFor must be at least 3 days (AWS's cooling-off period)`,
    );
  }
  if (retention !== undefined && (retention.toDays() < min || retention.toDays() > max)) {
    throw new Error(
      `${scope.node.path}: retention (${retention.toDays()} days) must lie within vaultLock's ${min}-${max} days, ` +
        'or the locked vault refuses every recovery point',
    );
  }
}

/**
 * A backup vault, optionally under Vault Lock, with manual deletion of recovery points denied to every
 * principal (only their lifecycle ends them), kept when its stack is deleted.
 */
export class LockedVault extends Construct {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: LockedVaultProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.vaultName) && !VAULT_NAME.test(props.vaultName)) {
      throw new Error(
        `${this.node.path}: vaultName '${props.vaultName}' must be 2-50 letters, digits, '-' or '_'`,
      );
    }
    if (props.lock) validateLock(this, props.lock);
    const lock = props.lock;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: props.encryptionKey,
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
      notificationTopic: props.notificationTopic,
      notificationEvents: props.notificationTopic ? BACKUP_FAILURE_EVENTS : undefined,
      lockConfiguration: lock && {
        minRetention: lock.minRetention,
        maxRetention: lock.maxRetention,
        // Without a grace period AWS applies the lock in GOVERNANCE mode; with one, COMPLIANCE.
        changeableFor: lock.mode === 'COMPLIANCE' ? (lock.changeableFor ?? DEFAULT_GRACE) : undefined,
      },
    });
  }
}

/**
 * A daily AWS Backup plan for Aurora clusters and S3 buckets into a (optionally locked) vault, with
 * every recovery point copied to a vault of the same name in a second region when one is given.
 * Aurora's own automated backups keep point-in-time restore for their retention; this adds recovery
 * points that a locked vault protects from deletion and that survive the loss of the region.
 */
export class DataBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  /** The role AWS Backup assumes to read the resources and to restore them. */
  readonly role: iam.Role;
  /** ARN of the copy vault, when copyRegion is set. */
  readonly copyVaultArn: string | undefined;

  constructor(scope: Construct, id: string, props: DataBackupProps) {
    super(scope, id);
    const clusters = props.databaseClusters ?? [];
    const bucketArns = props.bucketArns ?? [];
    if (clusters.length + bucketArns.length === 0) {
      throw new Error(`${this.node.path}: nothing to back up; give databaseClusters or bucketArns`);
    }
    const retention = props.retention ?? DEFAULT_RETENTION;
    if (retention.toDays() < 1) throw new Error(`${this.node.path}: retention must be at least 1 day`);
    if (props.vaultLock) validateLock(this, props.vaultLock, retention);
    const stack = Stack.of(this);
    if (props.copyRegion !== undefined) {
      if (!REGION.test(props.copyRegion)) {
        throw new Error(`${this.node.path}: copyRegion '${props.copyRegion}' is not an AWS region`);
      }
      if (!Token.isUnresolved(stack.region) && props.copyRegion === stack.region) {
        throw new Error(`${this.node.path}: copyRegion must differ from the stack's region ${stack.region}`);
      }
    }

    this.vault = new LockedVault(this, 'Vault', {
      vaultName: props.vaultName,
      encryptionKey: props.encryptionKey,
      lock: props.vaultLock,
      notificationTopic: props.notificationTopic,
    }).vault;

    let copyActions: backup.BackupPlanCopyActionProps[] | undefined;
    if (props.copyRegion !== undefined) {
      // By name, not by reference: the copy vault lives in another region's stack, and CloudFormation
      // has no cross-region references.
      this.copyVaultArn = stack.formatArn({
        service: 'backup',
        region: props.copyRegion,
        resource: 'backup-vault',
        resourceName: props.vaultName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const copyVault = backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', this.copyVaultArn);
      copyActions = [{ destinationBackupVault: copyVault, deleteAfter: retention }];
    }

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: props.planName,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: props.schedule ?? events.Schedule.cron({ minute: '30', hour: '2' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: retention,
          copyActions,
        }),
      ],
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup: back up and restore the resources of ${props.planName}`,
      // The S3 policies are separate from the general ones and needed only when buckets are selected.
      managedPolicies:
        bucketArns.length > 0
          ? [
              iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Backup'),
              iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Restore'),
            ]
          : [],
    });
    this.plan.addSelection('Selection', {
      backupSelectionName: props.planName,
      role: this.role,
      allowRestores: true,
      resources: [
        ...clusters.map((cluster) => backup.BackupResource.fromRdsDatabaseCluster(cluster)),
        ...bucketArns.map((arn) => backup.BackupResource.fromArn(arn)),
      ],
    });
  }
}
