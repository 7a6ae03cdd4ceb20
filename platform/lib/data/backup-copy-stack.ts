import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type { Construct } from 'constructs';
import type { BackupConfig, EnvironmentConfig } from '../../config/index.js';
import { rotatingKey } from '../shared/kms.js';
import { backupVaultName, resourceName } from '../shared/naming.js';
import { LockedVault, type VaultLockProps } from './data-backup.js';

export interface BackupCopyStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/** The environment's Vault Lock settings in construct form (undefined when the config has none). */
export function vaultLockOf(backupConfig: BackupConfig): VaultLockProps | undefined {
  const lock = backupConfig.vaultLock;
  if (!lock) return undefined;
  return {
    mode: lock.mode,
    minRetention: Duration.days(lock.minRetentionDays),
    maxRetention: Duration.days(lock.maxRetentionDays),
    changeableFor: lock.changeableForDays === undefined ? undefined : Duration.days(lock.changeableForDays),
  };
}

/**
 * The vault in the second region that the daily backup plan copies every recovery point into: its
 * own key in that region (a copy must not depend on a key in the region it is meant to outlive) and
 * the same Vault Lock as the source vault.
 */
export class BackupCopyStack extends Stack {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, props);
    const { config } = props;
    const key = rotatingKey(this, 'BackupCopyKey', {
      alias: resourceName(config, 'backup-copy'),
      description: `Cross-region copies of the ${config.name} backups (from ${config.region})`,
    });
    this.vault = new LockedVault(this, 'CopyVault', {
      vaultName: backupVaultName(config),
      encryptionKey: key,
      lock: vaultLockOf(config.backup),
    }).vault;
    new CfnOutput(this, 'CopyVaultArn', { value: this.vault.backupVaultArn });
  }
}
