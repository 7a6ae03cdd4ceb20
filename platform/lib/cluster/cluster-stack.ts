import * as blueprints from '@aws-quickstart/eks-blueprints';
import { ArnFormat, CfnOutput, Duration, type Environment, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { rootApplication } from '../../../argocd/applications.js';
import { bootstrapProject } from '../../../argocd/projects.js';
import type { EnvironmentConfig } from '../../config/index.js';
import {
  ADD_ON_IDENTITIES,
  BANK_API,
  SECRET_STORE,
  SECRET_STORE_NAMESPACES,
} from '../../config/workloads.js';
import { AuroraAlarms } from '../data/aurora-alarms.js';
import { AuroraDatabase } from '../data/aurora-database.js';
import { availabilityZones } from '../network/subnet-plan.js';
import { allowCloudWatchLogs, rotatingKey } from '../shared/kms.js';
import { encryptedLogGroup } from '../shared/log-groups.js';
import {
  auroraClusterIdentifier,
  auroraSecretName,
  bucketName,
  clusterName,
  containerLogGroupName,
  databaseConnectionSecretName,
  resourceName,
} from '../shared/naming.js';
import { SecureBucket } from '../shared/secure-bucket.js';
import { costAllocationTags } from '../shared/tags.js';
import { platformAddOns } from './addons.js';
import { type CapacityPlan, capacityPlan } from './autoscaling.js';
import { PodIdentity } from './pod-identity.js';
import { FunctionResourceProvider, RESOURCES } from './resource-providers.js';
import { KUBERNETES_VERSIONS } from './versions.js';

export interface ClusterStackDependencies {
  readonly vpc: ec2.IVpc;
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
          }),
      ),
    )
    .clusterProvider(clusterProvider(env, capacity))
    .addOns(...platformAddOns(env, capacity));

  const stack = await builder.buildAsync(scope, id, {
    env: awsEnv,
    description: `Bank platform ${env.name}: EKS, add-ons, Aurora, application buckets`,
  });
  wireWorkloads(stack, env, deps);
  return stack;
}

/** Everything that needs the built cluster: database reachability, Pod Identity, GitOps root, alarms. */
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
  });

  // Bank API: IAM database auth as its own role, and its prefix of the assets bucket. It reads no
  // secret itself: External Secrets copies the connection facts (no password) into the namespace.
  const bankApi = new PodIdentity(stack, 'BankApiIdentity', {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    workload: BANK_API,
    roleName: resourceName(env, 'bank-api'),
    description: 'bank-api pods: IAM database auth as bank_api, own S3 prefix',
  });
  aurora.grantConnect(bankApi, BANK_API.database.role);
  assets.grantPrefixReadWrite(bankApi, BANK_API.bucketPrefix);
  aurora.addConnectionSecret('BankApiDatabaseConnection', {
    secretName: databaseConnectionSecretName(env, BANK_API.name),
    role: BANK_API.database.role,
  });

  // Grafana's CloudWatch data source: read-only metrics for the Aurora dashboards and alarms.
  const grafana = new PodIdentity(stack, 'GrafanaCloudWatchIdentity', {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    workload: ADD_ON_IDENTITIES.grafana,
    roleName: resourceName(env, 'grafana-cloudwatch'),
    description: 'Grafana CloudWatch data source: read metrics and alarms',
  });
  grafana.policy.addStatements(
    new iam.PolicyStatement({
      sid: 'ReadCloudWatchMetrics',
      actions: [
        'cloudwatch:DescribeAlarmsForMetric',
        'cloudwatch:DescribeAlarmHistory',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:ListMetrics',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetInsightRuleReport',
        'ec2:DescribeRegions',
        'tag:GetResources',
      ],
      resources: ['*'],
    }),
  );

  // Alertmanager pages on-call through the same encrypted topic the CloudWatch alarms use.
  const alertmanager = new PodIdentity(stack, 'AlertmanagerIdentity', {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    workload: ADD_ON_IDENTITIES.alertmanager,
    roleName: resourceName(env, 'alertmanager-oncall'),
    description: 'Alertmanager: publish alerts to the on-call SNS topic',
  });
  const topicKey = deps.alarmTopic.masterKey;
  alertmanager.policy.addStatements(
    new iam.PolicyStatement({
      sid: 'PublishToOnCall',
      actions: ['sns:Publish'],
      resources: [deps.alarmTopic.topicArn],
    }),
    ...(topicKey
      ? [
          new iam.PolicyStatement({
            sid: 'EncryptOnCallMessages',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [topicKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `sns.${env.region}.amazonaws.com` } },
          }),
        ]
      : []),
  );

  new AuroraAlarms(stack, 'AuroraAlarms', {
    cluster: aurora.cluster,
    clusterIdentifier: auroraClusterIdentifier(env),
    topic: deps.alarmTopic,
    freeableMemoryBytes: env.database.alarms.freeableMemoryMiB * 1024 * 1024,
    maxConnections: env.database.alarms.maxConnections,
  });

  addGitOpsRoot(stack, env, cluster);
  addSecretStore(stack, env, cluster);
  enforceTlsOnKarpenterQueue(stack);
  confineClusterAutoscaler(cluster, env);

  new CfnOutput(stack, 'AuroraSecretName', { value: auroraSecretName(env) });
  new CfnOutput(stack, 'AuroraWriterEndpoint', { value: aurora.cluster.clusterEndpoint.hostname });
  new CfnOutput(stack, 'AuroraReaderEndpoint', { value: aurora.cluster.clusterReadEndpoint.hostname });
  new CfnOutput(stack, 'AssetsBucketName', { value: assets.bucketName });
  new CfnOutput(stack, 'BackupsBucketName', { value: backups.bucketName });
}

/**
 * The store External Secrets reads Secrets Manager through. It has no auth block, so the controller
 * uses its own service account's role, which may read only bank/<env>/* secrets; only the bank
 * namespace may use the store.
 */
function addSecretStore(stack: Stack, env: EnvironmentConfig, cluster: eks.Cluster): void {
  const info = (stack as blueprints.EksBlueprint).getClusterInfo();
  const externalSecretsChart = info.getProvisionedAddOn('ExternalsSecretsAddOn');
  const store = cluster.addManifest('ClusterSecretStore', {
    apiVersion: 'external-secrets.io/v1',
    kind: SECRET_STORE.kind,
    metadata: { name: SECRET_STORE.name },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: env.region } },
      conditions: [{ namespaces: [...SECRET_STORE_NAMESPACES] }],
    },
  });
  if (externalSecretsChart) store.node.addDependency(externalSecretsChart);
}

/**
 * The `bootstrap` AppProject (it may only create Applications and AppProjects in argocd, from this
 * repository) and the root Application in it, both rendered by the TypeScript in argocd/, the code that renders
 * the bootstrap folder the root syncs (and that the local GitOps tests apply). The AppProject must
 * exist before the root syncs the identical copy from the branch, so the cluster stack applies it first.
 * (Blueprints' bootstrapRepo renders a Helm-typed Application, which a directory of YAML is not.)
 */
function addGitOpsRoot(stack: Stack, env: EnvironmentConfig, cluster: eks.Cluster): void {
  const info = (stack as blueprints.EksBlueprint).getClusterInfo();
  const argoChart = info.getProvisionedAddOn('ArgoCDAddOn');
  const project = cluster.addManifest(
    'GitOpsBootstrapProject',
    bootstrapProject(env).toJSON() as Record<string, unknown>,
  );
  const root = cluster.addManifest(
    'GitOpsRootApplication',
    rootApplication(env).toJSON() as Record<string, unknown>,
  );
  root.node.addDependency(project);
  if (argoChart) project.node.addDependency(argoChart);
}

/** The interruption queue Blueprints creates for Karpenter: encrypted at rest, TLS-only in transit. */
function enforceTlsOnKarpenterQueue(stack: Stack): void {
  const queue = stack.node.tryFindChild('karpenter-queue');
  if (queue instanceof sqs.Queue) {
    // SSE-SQS rather than KMS: EventBridge and AWS Health deliver into it without key grants.
    (queue.node.defaultChild as sqs.CfnQueue).sqsManagedSseEnabled = true;
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:*'],
        resources: [queue.queueArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  }
}

/**
 * Blueprints grants Cluster Autoscaler its scaling actions on every Auto Scaling group of the account.
 * EKS tags each managed node group's ASG with k8s.io/cluster-autoscaler/<cluster>=owned; denying the
 * mutating actions on anything else confines the autoscaler to this cluster's node groups.
 */
function confineClusterAutoscaler(cluster: eks.Cluster, env: EnvironmentConfig): void {
  const policy = cluster.node.tryFindChild('blueprints-addon-cluster-autoscaler-managed-policy');
  if (policy instanceof iam.ManagedPolicy) {
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'OnlyThisClustersNodeGroups',
        effect: iam.Effect.DENY,
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: ['*'],
        conditions: {
          StringNotEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName(env)}`]: 'owned' },
        },
      }),
    );
  }
}
