import type { EnvironmentConfig } from './schema.js';

/** Where Cost Explorer (anomaly detection) and Data Exports (CUR 2.0) resources live: us-east-1 only. */
export const BILLING_REGION = 'us-east-1';

/**
 * Every region an environment's stacks deploy to: its home region first, then the backup copy
 * region and the standby region when the config names them, and the billing region of the finops
 * stack (platform/lib/platform-app.ts builds a stack in each). CI's deploy and diff roles need the CDK bootstrap roles of all of them, and each
 * needs `cdk bootstrap` (docs/platform/adopt.md).
 */
export function deploymentRegions(env: EnvironmentConfig): string[] {
  const regions = [env.region, env.backup.copyRegion, env.disasterRecovery?.region, BILLING_REGION];
  return [...new Set(regions.filter((r): r is string => r !== undefined))];
}
