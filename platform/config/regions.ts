import type { EnvironmentConfig } from './schema.js';

/**
 * Every region an environment's stacks deploy to: its home region first, then the backup copy
 * region and the standby region when the config names them (platform/lib/platform-app.ts builds a
 * stack in each). CI's deploy and diff roles need the CDK bootstrap roles of all of them, and each
 * needs `cdk bootstrap` (docs/platform/adopt.md).
 */
export function deploymentRegions(env: EnvironmentConfig): string[] {
  const regions = [env.region, env.backup.copyRegion, env.disasterRecovery?.region];
  return [...new Set(regions.filter((r): r is string => r !== undefined))];
}
