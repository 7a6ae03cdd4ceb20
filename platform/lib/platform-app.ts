import { readFileSync } from 'node:fs';
import type { Stack } from 'aws-cdk-lib';
import { App, type AppProps } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/index.js';
import { acknowledgeFindings } from './acknowledgements.js';
import { acknowledgeCheckovFindings } from './checkov-acknowledgements.js';
import { buildClusterStack } from './cluster/cluster-stack.js';
import { addCompliancePacks } from './compliance.js';
import { BackupCopyStack } from './data/backup-copy-stack.js';
import { DeliveryStack } from './delivery/delivery-stack.js';
import { StandbyDatabaseStack, StandbyStorageStack } from './dr/standby-stacks.js';
import { FinOpsStack } from './finops/finops-stack.js';
import { applyServiceTags } from './finops/service-tags.js';
import { NetworkStack } from './network/network-stack.js';
import { SecurityStack } from './security/security-stack.js';
import { resourceName, stackName } from './shared/naming.js';
import { applyCostAllocationTags } from './shared/tags.js';

/**
 * Context every synth needs, including tests that build the app without the CLI: the feature flags
 * and settings in cdk.json, declared once there so `cdk` and the tests synthesize the same templates.
 * The flags are aws-cdk-lib's recommended set (docs/platform/README.md, "CDK feature flags"), except
 * that cross-stack references stay "strong" (exports that protect the producer) until a deliberate
 * migration.
 */
export const PLATFORM_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export interface EnvironmentStacks {
  readonly security: SecurityStack;
  readonly network: NetworkStack;
  readonly delivery: DeliveryStack;
  readonly cluster: Stack;
  /** The vault in backup.copyRegion that recovery points are copied to; absent without a copy region. */
  readonly backupCopy: BackupCopyStack | undefined;
  /** Replica buckets and their key in disasterRecovery.region; absent without disaster recovery. */
  readonly standbyStorage: StandbyStorageStack | undefined;
  /** The headless Aurora secondary in disasterRecovery.region; absent without disaster recovery. */
  readonly standbyDatabase: StandbyDatabaseStack | undefined;
  /** Cost Anomaly Detection and the CUR 2.0 export, in us-east-1 (docs/platform/cost.md). */
  readonly finops: FinOpsStack;
}

/** All stacks of one environment, wired together; account and region come from the config only. */
export async function addEnvironment(app: App, config: EnvironmentConfig): Promise<EnvironmentStacks> {
  const env = { account: config.account, region: config.region };
  // Regional disaster recovery (docs/adr/0008). The replicas must exist before the primary region's
  // buckets name them as replication destinations, so this stack comes first.
  const dr = config.disasterRecovery;
  const standbyEnv = dr && { account: config.account, region: dr.region };
  const standbyStorage =
    standbyEnv &&
    new StandbyStorageStack(app, stackName(config, 'dr-storage'), {
      env: standbyEnv,
      config,
      description: `Bank platform ${config.name}: disaster-recovery key and bucket replicas in ${standbyEnv.region}`,
    });
  const security = new SecurityStack(app, stackName(config, 'security'), {
    env,
    config,
    description: `Bank platform ${config.name}: audit trail, GuardDuty, WAF, on-call topic, budget`,
  });
  const network = new NetworkStack(app, stackName(config, 'network'), {
    env,
    config,
    description: `Bank platform ${config.name}: VPC, subnets, NAT, endpoints, flow logs`,
  });
  const delivery = new DeliveryStack(app, stackName(config, 'delivery'), {
    env,
    config,
    description: `Bank platform ${config.name}: ECR, GitHub OIDC and CI roles`,
  });
  const copyRegion = config.backup.copyRegion;
  const backupCopy =
    copyRegion === undefined
      ? undefined
      : new BackupCopyStack(app, stackName(config, 'backup-copy'), {
          env: { account: config.account, region: copyRegion },
          config,
          description: `Bank platform ${config.name}: backup copy vault in ${copyRegion}`,
        });
  const cluster = await buildClusterStack(app, stackName(config, 'cluster'), config, {
    vpc: network.vpc,
    endpointSecurityGroup: network.endpointSecurityGroup,
    alarmTopic: security.alarmTopic,
    accessLogsBucketName: security.accessLogsBucket.bucketName,
  });
  cluster.addDependency(security);
  cluster.addDependency(network);
  // The backup plan copies into that vault by name: it must exist before the first copy job runs.
  if (backupCopy) cluster.addDependency(backupCopy);
  // The audit and backups buckets replicate into the standby region's replicas with its role.
  if (standbyStorage) {
    security.addDependency(standbyStorage);
    cluster.addDependency(standbyStorage);
  }
  // The secondary joins the global database that the cluster stack creates around the primary.
  const standbyDatabase =
    standbyEnv &&
    standbyStorage &&
    new StandbyDatabaseStack(app, stackName(config, 'dr-database'), {
      env: standbyEnv,
      config,
      key: standbyStorage.key,
      description: `Bank platform ${config.name}: standby VPC and headless Aurora secondary in ${standbyEnv.region}`,
    });
  standbyDatabase?.addDependency(cluster);

  // FinOps: the Billing resources live in us-east-1; their receivers (on-call topic, audit
  // bucket) and the grants to them are in the security stack, which must exist first.
  const finops = new FinOpsStack(app, resourceName(config, 'finops'), {
    config,
    description: `Bank platform ${config.name}: Cost Anomaly Detection and the CUR 2.0 export (us-east-1)`,
  });
  finops.addDependency(security);

  const stacks = {
    security,
    network,
    delivery,
    cluster,
    backupCopy,
    standbyStorage,
    standbyDatabase,
    finops,
  };
  applyServiceTags(stacks);
  for (const stack of Object.values(stacks)) {
    if (!stack) continue;
    applyCostAllocationTags(stack, config);
    acknowledgeFindings(stack, config);
    acknowledgeCheckovFindings(stack, config);
  }
  return stacks;
}

/** The CDK app for the given environments, with the compliance packs registered. */
export async function createPlatformApp(
  configs: EnvironmentConfig[],
  props: AppProps = {},
): Promise<{ app: App; environments: Map<string, EnvironmentStacks> }> {
  const app = new App({ ...props, context: { ...PLATFORM_CONTEXT, ...props.context } });
  addCompliancePacks(app);
  const environments = new Map<string, EnvironmentStacks>();
  for (const config of configs) {
    environments.set(config.name, await addEnvironment(app, config));
  }
  return { app, environments };
}
