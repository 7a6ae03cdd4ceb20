import * as blueprints from '@aws-quickstart/eks-blueprints';
import * as iam from 'aws-cdk-lib/aws-iam';
import { argoCdValues } from '../../../argocd/helm-values.js';
import type { EnvironmentConfig } from '../../config/index.js';
import { CONTAINER_LOG_RECORD } from '../observability/container-logs.js';
import { clusterName, containerLogGroupName, secretPrefix } from '../shared/naming.js';
import type { CapacityPlan } from './autoscaling.js';
import { CHART_VERSIONS, MANAGED_ADDON_VERSIONS } from './versions.js';

// Add-ons are configured before their stack exists, so ARNs are spelled from the fixed account and
// region of the environment (both validated by the config schema).
const arn = (env: EnvironmentConfig, service: string, resource: string, resourceName: string) =>
  `arn:aws:${service}:${env.region}:${env.account}:${resource}:${resourceName}`;

/** Secrets the platform owns for this environment, and the key use Secrets Manager makes on their behalf. */
function externalSecretsPolicies(env: EnvironmentConfig): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadEnvironmentSecrets',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [arn(env, 'secretsmanager', 'secret', `${secretPrefix(env)}*`)],
    }),
  ];
}

function fluentBitPolicies(env: EnvironmentConfig): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'WriteContainerLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [
        arn(env, 'logs', 'log-group', containerLogGroupName(env)),
        arn(env, 'logs', 'log-group', `${containerLogGroupName(env)}:log-stream:*`),
      ],
    }),
  ];
}

/** Every add-on of the cluster, in install order, each with a pinned version. */
export function platformAddOns(env: EnvironmentConfig, capacity: CapacityPlan): blueprints.ClusterAddOn[] {
  const managed = MANAGED_ADDON_VERSIONS[env.kubernetesVersion];
  return [
    new blueprints.VpcCniAddOn({
      version: managed.vpcCni,
      // Kubernetes NetworkPolicy enforcement (default-deny per namespace) by the VPC CNI's agent.
      enableNetworkPolicy: true,
      enablePrefixDelegation: true,
    }),
    new blueprints.CoreDnsAddOn(managed.coreDns),
    new blueprints.KubeProxyAddOn(managed.kubeProxy),
    new blueprints.EksPodIdentityAgentAddOn(managed.podIdentityAgent),
    new blueprints.EbsCsiDriverAddOn({ version: managed.ebsCsi, storageClass: 'gp3' }),
    ...capacity.addOns,
    new blueprints.AwsLoadBalancerControllerAddOn({
      version: CHART_VERSIONS.awsLoadBalancerController,
      enableWafv2: true,
      createIngressClassResource: true,
      ingressClass: 'alb',
    }),
    new blueprints.MetricsServerAddOn({ version: CHART_VERSIONS.metricsServer }),
    new blueprints.ExternalsSecretsAddOn({
      version: CHART_VERSIONS.externalSecrets,
      iamPolicies: externalSecretsPolicies(env),
    }),
    new blueprints.AwsForFluentBitAddOn({
      version: CHART_VERSIONS.awsForFluentBit,
      iamPolicies: fluentBitPolicies(env),
      values: {
        cloudWatchLogs: {
          enabled: true,
          region: env.region,
          logGroupName: containerLogGroupName(env),
          logStreamPrefix: `${clusterName(env)}-`,
          // One group for every container (the saved queries read it), never a per-namespace group
          // nobody created (older chart versions default to such a template).
          logGroupTemplate: '',
          // The log group is created (KMS-encrypted, with retention) by the cluster stack.
          autoCreateGroup: false,
        },
        // JSON lines are parsed and merged under one key, the raw string dropped once parsed: the
        // shape the saved queries read (platform/lib/observability/container-logs.ts).
        filter: {
          mergeLog: 'On',
          mergeLogKey: CONTAINER_LOG_RECORD.mergedLogKey,
          keepLog: 'Off',
        },
        firehose: { enabled: false },
        kinesis: { enabled: false },
        elasticsearch: { enabled: false },
      },
    }),
    new blueprints.ArgoCDAddOn({
      version: CHART_VERSIONS.argoCd,
      values: argoCdValues(env.name),
    }),
  ];
}
