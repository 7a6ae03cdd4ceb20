import * as blueprints from '@aws-quickstart/eks-blueprints';
import { AspectPriority, Aspects, CfnOutput, Duration, type Environment } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { BANK_API } from '../../config/workloads.js';
import { AuroraAlarms } from '../data/aurora-alarms.js';
import { AuroraDatabase } from '../data/aurora-database.js';
import { vaultLockOf } from '../data/backup-copy-stack.js';
import { DataBackup } from '../data/data-backup.js';
import { AuroraGlobalDatabase } from '../dr/global-database.js';
import { replicateToStandby } from '../dr/replication.js';
import { availabilityZones } from '../network/subnet-plan.js';
import { OperatorLogQueries } from '../observability/log-queries.js';
import { TraceSamplingRules } from '../observability/sampling-rules.js';
import { allowCloudWatchLogs, rotatingKey } from '../shared/kms.js';
import { encryptedLogGroup } from '../shared/log-groups.js';
import {
  auroraClusterIdentifier,
  auroraSecretName,
  backupVaultName,
  bucketName,
  clusterName,
  containerLogGroupName,
  globalClusterIdentifier,
  resourceName,
} from '../shared/naming.js';
import { objectLockRetention, SecureBucket } from '../shared/secure-bucket.js';
import { costAllocationTags } from '../shared/tags.js';
import { AddOnGuardrailsAddOn } from './add-on-guardrails-addon.js';
import { platformAddOns } from './addons.js';
import { type CapacityPlan, capacityPlan } from './autoscaling.js';
import { GitOpsRootAddOn } from './gitops-root-addon.js';
import { ClusterAutoscalerConfinement, KarpenterQueueHardening } from './hardening.js';
import { FunctionResourceProvider, RESOURCES } from './resource-providers.js';
import { SecretStoreAddOn } from './secret-store-addon.js';
import { KUBERNETES_VERSIONS } from './versions.js';
import { grantWorkloadAccess } from './workload-access.js';

export interface ClusterStackDependencies {
  readonly vpc: ec2.IVpc;
  /** The interface endpoints' security group (Secrets Manager among them). */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  readonly alarmTopic: sns.ITopic;
  readonly accessLogsBucketName: string;
}

export const CONTROL_PLANE_LOG_TYPES = [
  blueprints.ControlPlaneLogType.API,
  blueprints.ControlPlaneLogType.AUDIT,
  blueprints.ControlPlaneLogType.AUTHENTICATOR,
  blueprints.ControlPlaneLogType.CONTROLLER_MANAGER,
  blueprints.ControlPlaneLogType.SCHEDULER,
];

/**
 * Every principal is granted through access entries. EKS Blueprints' Karpenter add-on still writes its node role
 * into aws-auth, which CDK refuses under API-only mode, so that variant keeps the ConfigMap readable
 * while the same role also gets an access entry (see docs/adr/0003). Cluster Autoscaler is API-only.
 */
const authenticationMode = (env: EnvironmentConfig): eks.AuthenticationMode =>
  env.nodes.autoscaler === 'karpenter'
    ? eks.AuthenticationMode.API_AND_CONFIG_MAP
    : eks.AuthenticationMode.API;

function clusterProvider(env: EnvironmentConfig, capacity: CapacityPlan): blueprints.GenericClusterProvider {
  const publicCidrs = env.apiAllowedCidrs;
  return new blueprints.GenericClusterProvider({
    version: KUBERNETES_VERSIONS[env.kubernetesVersion],
    clusterName: clusterName(env),
    authenticationMode: authenticationMode(env),
    // Private endpoint; dev additionally allows the listed office/VPN CIDRs, prod nothing public.
    endpointAccess:
      publicCidrs.length > 0
        ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs)
        : eks.EndpointAccess.PRIVATE,
    vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
    managedNodeGroups: capacity.nodeGroups,
    tags: costAllocationTags(env),
  });
}

/** The EKS blueprint with its add-ons, the Aurora database, application buckets and workload identities. */
export async function buildClusterStack(
  scope: Construct,
  id: string,
  env: EnvironmentConfig,
  deps: ClusterStackDependencies,
): Promise<blueprints.EksBlueprint> {
  const awsEnv: Required<Environment> = { account: env.account, region: env.region };
  const capacity = capacityPlan(env);

  const builder = blueprints.EksBlueprint.builder()
    .name(clusterName(env))
    .account(env.account)
    .region(env.region)
    .version(KUBERNETES_VERSIONS[env.kubernetesVersion])
    .enableControlPlaneLogTypes(...CONTROL_PLANE_LOG_TYPES)
    .resourceProvider(blueprints.GlobalResources.Vpc, new blueprints.DirectVpcProvider(deps.vpc))
    .resourceProvider(
      blueprints.GlobalResources.KmsKey,
      new FunctionResourceProvider((ctx) =>
        rotatingKey(ctx.scope, 'EksSecretsKey', {
          alias: resourceName(env, 'eks-secrets'),
          description: `Envelope encryption of Kubernetes Secrets in ${clusterName(env)}`,
        }),
      ),
    )
    .resourceProvider(
      RESOURCES.dataKey,
      new FunctionResourceProvider((ctx) =>
        rotatingKey(ctx.scope, 'DataKey', {
          alias: resourceName(env, 'data'),
          description: `Aurora storage, database secret, Performance Insights and S3 data of ${env.name}`,
        }),
      ),
    )
    .resourceProvider(
      RESOURCES.logsKey,
      new FunctionResourceProvider((ctx) => {
        const key = rotatingKey(ctx.scope, 'LogsKey', {
          alias: resourceName(env, 'logs'),
          description: `Container and database log groups of ${env.name}`,
        });
        allowCloudWatchLogs(key);
        return key;
      }),
    )
    .resourceProvider(
      RESOURCES.containerLogs,
      new FunctionResourceProvider((ctx) =>
        encryptedLogGroup(ctx.scope, 'ContainerLogGroup', {
          logGroupName: containerLogGroupName(env),
          encryptionKey: ctx.get<kms.IKey>(RESOURCES.logsKey) as kms.IKey,
        }),
      ),
    )
    .resourceProvider(
      RESOURCES.aurora,
      new FunctionResourceProvider(
        (ctx) =>
          new AuroraDatabase(ctx.scope, 'Aurora', {
            vpc: ctx.get<ec2.IVpc>(blueprints.GlobalResources.Vpc) as ec2.IVpc,
            clusterIdentifier: auroraClusterIdentifier(env),
            secretName: auroraSecretName(env),
            databaseName: BANK_API.database.name,
            instanceClass: env.database.instanceClass,
            readers: env.database.readers,
            availabilityZones: availabilityZones(env.region, env.azCount),
            maxReaders: env.database.maxReaders,
            backupRetentionDays: env.database.backupRetentionDays,
            deletionProtection: env.database.deletionProtection,
            storageKey: ctx.get<kms.IKey>(RESOURCES.dataKey) as kms.IKey,
            logKey: ctx.get<kms.IKey>(RESOURCES.logsKey) as kms.IKey,
            secretsManagerEndpointSecurityGroup: deps.endpointSecurityGroup,
          }),
      ),
    )
    .clusterProvider(clusterProvider(env, capacity))
    .addOns(
      ...platformAddOns(env, capacity),
      new SecretStoreAddOn(env),
      new AddOnGuardrailsAddOn(env),
      new GitOpsRootAddOn(env),
    );

  const stack = await builder.buildAsync(scope, id, {
    env: awsEnv,
    description: `Bank platform ${env.name}: EKS, add-ons, Aurora, application buckets`,
  });
  wireWorkloads(stack, env, deps);
  return stack;
}

/** What needs the built cluster: database reachability, buckets, workload access, alarms, hardening. */
function wireWorkloads(
  stack: blueprints.EksBlueprint,
  env: EnvironmentConfig,
  deps: ClusterStackDependencies,
): void {
  const info = stack.getClusterInfo();
  const cluster = info.cluster as eks.Cluster;
  const aurora = info.getRequiredResource(RESOURCES.aurora) as unknown as AuroraDatabase;
  const dataKey = info.getRequiredResource<kms.IKey>(RESOURCES.dataKey);

  // Pods use the node's primary ENI security group, which for managed and Karpenter nodes is the
  // EKS cluster security group: admitting it admits the cluster and nothing else.
  const clusterSg = ec2.SecurityGroup.fromSecurityGroupId(
    stack,
    'EksClusterSecurityGroup',
    cluster.clusterSecurityGroupId,
  );
  aurora.connections.allowDefaultPortFrom(clusterSg, 'PostgreSQL from EKS');

  const karpenterNodeRole = cluster.node.tryFindChild('karpenter-node-role');
  if (karpenterNodeRole instanceof iam.Role) {
    cluster.grantAccess('KarpenterNodeAccessEntry', karpenterNodeRole.roleArn, [], {
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
    });
  }

  const assets = new SecureBucket(stack, 'AssetsBucket', {
    bucketName: bucketName(env, 'assets'),
    encryptionKey: dataKey,
    accessLogsBucketName: deps.accessLogsBucketName,
    lifecycleRules: [
      {
        id: 'tier-down',
        transitions: [
          { storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
        ],
      },
    ],
  });
  const backups = new SecureBucket(stack, 'BackupsBucket', {
    bucketName: bucketName(env, 'backups'),
    encryptionKey: dataKey,
    accessLogsBucketName: deps.accessLogsBucketName,
    lifecycleRules: [
      {
        id: 'archive-backups',
        transitions: [
          { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) },
          { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(180) },
        ],
        expiration: Duration.days(env.retention.backupsDays),
      },
    ],
    // Object Lock (retention from backupsObjectLock): a compromised admin or CI role cannot purge the
    // backups inside the locked window. Absent (non-production): versioning only.
    objectLockRetention:
      env.backupsObjectLock && objectLockRetention(env.backupsObjectLock.mode, env.backupsObjectLock.days),
  });
  if (env.disasterRecovery) replicateToStandby(backups, env, 'backups');

  grantWorkloadAccess(stack, env, { cluster, aurora, assets, alarmTopic: deps.alarmTopic });

  // The audit bucket lives in the security stack; named, not referenced, like the access-log bucket.
  const auditBucketArn = s3.Bucket.fromBucketName(
    stack,
    'AuditBucketRef',
    bucketName(env, 'audit'),
  ).bucketArn;
  const dataBackup = new DataBackup(stack, 'DataBackup', {
    vaultName: backupVaultName(env),
    planName: resourceName(env, 'data-backup'),
    encryptionKey: rotatingKey(stack, 'BackupVaultKey', {
      alias: resourceName(env, 'backup'),
      description: `AWS Backup vault of ${env.name} (S3 recovery points)`,
    }),
    databaseClusters: [aurora.cluster],
    bucketArns: [backups.bucketArn, auditBucketArn],
    retention: Duration.days(env.backup.retentionDays),
    vaultLock: vaultLockOf(env.backup),
    copyRegion: env.backup.copyRegion,
    notificationTopic: deps.alarmTopic,
  });

  // Regional disaster recovery (docs/adr/0008): this cluster becomes the primary of a global
  // database whose headless secondary lives in the standby region (StandbyDatabaseStack).
  if (env.disasterRecovery) {
    new AuroraGlobalDatabase(stack, 'GlobalDatabase', {
      globalClusterIdentifier: globalClusterIdentifier(env),
      primary: aurora.cluster,
      deletionProtection: env.database.deletionProtection,
    });
  }

  // Logs Insights queries over the container and database logs, and the X-Ray sampling rules bank-api
  // reads through the trace collector (docs/observability.md, "Logs and traces in AWS").
  new OperatorLogQueries(stack, 'OperatorLogQueries', {
    queryNamePrefix: resourceName(env, 'ops'),
    containerLogGroup: info.getRequiredResource<logs.ILogGroup>(RESOURCES.containerLogs),
    postgresqlLogGroup: aurora.node.findChild('PostgresqlLogGroup') as logs.ILogGroup,
  });
  new TraceSamplingRules(stack, 'TraceSamplingRules', {
    serviceName: BANK_API.name,
    rulePrefix: resourceName(env, 'api'),
  });

  new AuroraAlarms(stack, 'AuroraAlarms', {
    cluster: aurora.cluster,
    clusterIdentifier: auroraClusterIdentifier(env),
    topic: deps.alarmTopic,
    freeableMemoryBytes: env.database.alarms.freeableMemoryMiB * 1024 * 1024,
    maxConnections: env.database.alarms.maxConnections,
  });

  Aspects.of(stack).add(new KarpenterQueueHardening(), { priority: AspectPriority.MUTATING });
  Aspects.of(stack).add(new ClusterAutoscalerConfinement(clusterName(env)), {
    priority: AspectPriority.MUTATING,
  });

  new CfnOutput(stack, 'AuroraSecretName', { value: auroraSecretName(env) });
  new CfnOutput(stack, 'AuroraWriterEndpoint', { value: aurora.cluster.clusterEndpoint.hostname });
  new CfnOutput(stack, 'AuroraReaderEndpoint', { value: aurora.cluster.clusterReadEndpoint.hostname });
  new CfnOutput(stack, 'AssetsBucketName', { value: assets.bucketName });
  new CfnOutput(stack, 'BackupsBucketName', { value: backups.bucketName });
  new CfnOutput(stack, 'BackupVaultName', { value: dataBackup.vault.backupVaultName });
}
