import * as blueprints from '@aws-quickstart/eks-blueprints';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import type { EnvironmentConfig } from '../../config/index.js';
import { NODE_ARCHITECTURE } from '../../config/kubernetes.js';
import { capacityLabel, nodePoolLabel } from '../../config/labels.js';
import { SERVICE_TAG_KEY } from '../finops/service-tags.js';
import { KARPENTER_DISCOVERY_TAG } from '../network/network-stack.js';
import { clusterName } from '../shared/naming.js';
import { costAllocationTags } from '../shared/tags.js';
import { CHART_VERSIONS, CLUSTER_AUTOSCALER_CHART_VERSIONS } from './versions.js';

// Node capacity has two shapes, chosen by config.nodes.autoscaler:
//  - karpenter: a fixed system node group for add-ons plus Karpenter provisioning workload nodes;
//  - cluster-autoscaler: the same system group plus a workload node group scaled by Cluster Autoscaler.

const nodeLaunchTemplate = (env: EnvironmentConfig): blueprints.LaunchTemplateProps => ({
  requireImdsv2: true,
  // Hop limit 1: pods cannot reach the instance metadata service; they use Pod Identity instead.
  httpPutResponseHopLimit: 1,
  blockDevices: [
    {
      deviceName: '/dev/xvda',
      volume: ec2.BlockDeviceVolume.ebs(50, {
        encrypted: true,
        volumeType: ec2.EbsDeviceVolumeType.GP3,
        deleteOnTermination: true,
      }),
    },
  ],
  tags: { Name: `${clusterName(env)}-node` },
});

export function systemNodeGroup(env: EnvironmentConfig): blueprints.ManagedNodeGroup {
  return {
    id: 'system',
    nodegroupName: 'system',
    amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
    amiReleaseVersion: env.nodes.amiReleaseVersion,
    instanceTypes: [new ec2.InstanceType(env.nodes.systemInstanceType)],
    nodeGroupCapacityType: eks.CapacityType.ON_DEMAND,
    minSize: env.nodes.systemNodeCount,
    desiredSize: env.nodes.systemNodeCount,
    maxSize: env.nodes.systemNodeCount,
    nodeGroupSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    labels: { [nodePoolLabel()]: 'system' },
    launchTemplate: nodeLaunchTemplate(env),
  };
}

/** Workload instance types for the Cluster Autoscaler node group: the configured families, size large. */
const workloadInstanceTypes = (env: EnvironmentConfig) =>
  env.nodes.instanceFamilies.map((family) => new ec2.InstanceType(`${family}.large`));

export function workloadNodeGroup(env: EnvironmentConfig): blueprints.ManagedNodeGroup {
  return {
    id: 'workload',
    nodegroupName: 'workload',
    amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
    amiReleaseVersion: env.nodes.amiReleaseVersion,
    instanceTypes: workloadInstanceTypes(env),
    nodeGroupCapacityType: env.nodes.spot ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
    minSize: env.nodes.minCapacity,
    desiredSize: env.nodes.minCapacity,
    maxSize: env.nodes.maxCapacity,
    nodeGroupSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    labels: { [nodePoolLabel()]: 'workload' },
    launchTemplate: nodeLaunchTemplate(env),
  };
}

/**
 * Spot share (config.finops.spotSharePercent, docs/platform/cost.md): with a share between 1 and 99 the
 * default pool is on-demand only and a second NodePool offers spot capacity, tainted so that only pods
 * that tolerate interruption land there. Such a workload adds the toleration and selects the label:
 *   tolerations: [{ key: SPOT_TAINT.key, operator: 'Equal', value: SPOT_TAINT.value, effect: 'NoSchedule' }]
 *   nodeSelector: { [SPOT_NODE_LABEL.key]: SPOT_NODE_LABEL.value }
 * bank-api tolerates nothing of the kind, so its pods stay on on-demand nodes.
 */
export const SPOT_TAINT = { key: capacityLabel(), value: 'spot', effect: 'NoSchedule' } as const;
export const SPOT_NODE_LABEL = { key: capacityLabel(), value: 'spot' } as const;
/** The spot pool's name; it shares the default pool's EC2NodeClass. */
export const SPOT_NODE_POOL = 'spot-tolerant';

/** Karpenter's vCPU limit of the workload pools: maxCapacity nodes of up to xlarge (4 vCPU). */
export const karpenterCpuLimit = (env: EnvironmentConfig): number => env.nodes.maxCapacity * 4;

/** The vCPU the spot pool may hold: spotSharePercent of the limit, at least one xlarge node. */
export function spotCpuLimit(env: EnvironmentConfig): number {
  const share = env.finops.spotSharePercent;
  if (share <= 0 || share >= 100) return 0;
  return Math.max(4, Math.round((karpenterCpuLimit(env) * share) / 100));
}

/** Where the workload nodes' capacity types come from: one mixed pool, on-demand only, or on-demand plus a spot pool. */
export function capacitySplit(env: EnvironmentConfig): 'mixed' | 'on-demand' | 'on-demand-plus-spot' {
  const share = env.finops.spotSharePercent;
  if (share >= 100) return 'mixed';
  return share === 0 ? 'on-demand' : 'on-demand-plus-spot';
}

const workloadRequirements = (env: EnvironmentConfig, capacityTypes: string[]) => [
  { key: 'karpenter.k8s.aws/instance-family', operator: 'In' as const, values: env.nodes.instanceFamilies },
  { key: 'karpenter.k8s.aws/instance-size', operator: 'In' as const, values: ['large', 'xlarge', '2xlarge'] },
  { key: 'kubernetes.io/arch', operator: 'In' as const, values: [NODE_ARCHITECTURE] },
  { key: 'karpenter.sh/capacity-type', operator: 'In' as const, values: capacityTypes },
  {
    key: 'topology.kubernetes.io/zone',
    operator: 'In' as const,
    values: ['a', 'b', 'c'].slice(0, env.azCount).map((z) => `${env.region}${z}`),
  },
];

/** The default pool's voluntary-disruption settings; the spot pool uses the same. */
const DISRUPTION = {
  consolidationPolicy: 'WhenEmptyOrUnderutilized' as const,
  consolidateAfter: '5m' as const,
  // At most 10 % of nodes disrupted at once, and no voluntary disruption in business hours (UTC).
  budgets: [{ nodes: '10%' }, { nodes: '0', schedule: '0 7 * * mon-fri', duration: '10h' }],
};

export function karpenterAddOn(env: EnvironmentConfig): blueprints.KarpenterV1AddOn {
  const cluster = clusterName(env);
  // mixed: spot preferred, on-demand when spot is short (non-production). Otherwise the default pool
  // is on-demand only and spot, if any, lives in the tainted pool (spotNodePool).
  const capacityTypes = capacitySplit(env) === 'mixed' ? ['spot', 'on-demand'] : ['on-demand'];
  const cpuLimit = karpenterCpuLimit(env) - spotCpuLimit(env);
  return new blueprints.KarpenterV1AddOn({
    version: CHART_VERSIONS.karpenter,
    interruptionHandling: true,
    podIdentity: true,
    nodePoolSpec: {
      labels: { [nodePoolLabel()]: 'workload' },
      requirements: workloadRequirements(env, capacityTypes),
      // Blueprints renders an absent weight as `weight: null`, which strict validators (kubeconform,
      // server-side dry run) refuse. 10 ranks this pool below the spot pool (20), which only pods
      // tolerating its taint can use anyway.
      weight: 10,
      expireAfter: '720h',
      disruption: DISRUPTION,
      limits: { cpu: cpuLimit, memory: `${cpuLimit * 8}Gi` },
    },
    ec2NodeClassSpec: {
      amiFamily: 'AL2023',
      // The EKS-optimized AL2023 release from config (pinned in production, so a new AMI arrives only
      // through a reviewed config change); Karpenter's drift then rolls the nodes onto it within the
      // disruption budgets above. docs/platform/README.md, "Roll a node AMI".
      amiSelectorTerms: [{ alias: env.nodes.amiAlias }],
      subnetSelectorTerms: [{ tags: { [KARPENTER_DISCOVERY_TAG]: cluster } }],
      securityGroupSelectorTerms: [{ tags: { 'aws:eks:cluster-name': cluster } }],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpProtocolIPv6: 'disabled',
        httpPutResponseHopLimit: 1,
        httpTokens: 'required',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: '50Gi',
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          },
        },
      ],
      // Karpenter launches instances outside CloudFormation, so the cost-allocation tags go on them here.
      // The Service tag too: the nodes are the platform's, and its service budget must see them.
      tags: { Name: `${cluster}-karpenter-node`, ...costAllocationTags(env), [SERVICE_TAG_KEY]: 'platform' },
      detailedMonitoring: env.nodes.detailedMonitoring,
    },
  });
}

/** The spot NodePool (see SPOT_TAINT), applied once Karpenter's chart (and its CRDs) is installed. */
export function spotNodePool(env: EnvironmentConfig): Record<string, unknown> {
  const cpu = spotCpuLimit(env);
  if (cpu === 0)
    throw new Error(`spotNodePool: ${env.name} has no spot pool (finops.spotSharePercent is 0 or 100)`);
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: SPOT_NODE_POOL },
    spec: {
      template: {
        metadata: {
          labels: { [nodePoolLabel()]: 'workload', [SPOT_NODE_LABEL.key]: SPOT_NODE_LABEL.value },
        },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default-ec2nodeclass' },
          taints: [SPOT_TAINT],
          requirements: workloadRequirements(env, ['spot']),
          expireAfter: '720h',
        },
      },
      disruption: DISRUPTION,
      // The share: this pool never holds more than spotSharePercent of the workload vCPU limit.
      limits: { cpu, memory: `${cpu * 8}Gi` },
      // Tried before the on-demand pool by the pods that tolerate it.
      weight: 20,
    },
  };
}

/** Adds the spot NodePool to the cluster after the Karpenter add-on. */
export class SpotNodePoolAddOn implements blueprints.ClusterAddOn, blueprints.ClusterPostDeploy {
  readonly id = 'SpotNodePoolAddOn';

  constructor(private readonly env: EnvironmentConfig) {}

  deploy(): void {
    // The NodePool needs Karpenter's CRDs: everything happens in postDeploy.
  }

  postDeploy(clusterInfo: blueprints.ClusterInfo): void {
    const manifest = clusterInfo.cluster.addManifest('SpotNodePool', spotNodePool(this.env));
    const karpenter = clusterInfo.getProvisionedAddOn('KarpenterV1AddOn');
    if (!karpenter) throw new Error('SpotNodePoolAddOn: the Karpenter add-on is not part of the cluster');
    manifest.node.addDependency(karpenter);
  }
}

export function clusterAutoscalerAddOn(env: EnvironmentConfig): blueprints.ClusterAutoScalerAddOn {
  return new blueprints.ClusterAutoScalerAddOn({
    version: CLUSTER_AUTOSCALER_CHART_VERSIONS[env.kubernetesVersion],
    values: {
      extraArgs: {
        'balance-similar-node-groups': true,
        'skip-nodes-with-system-pods': false,
        expander: 'least-waste',
      },
    },
  });
}

export interface CapacityPlan {
  readonly nodeGroups: blueprints.ManagedNodeGroup[];
  readonly addOns: blueprints.ClusterAddOn[];
}

export function capacityPlan(env: EnvironmentConfig): CapacityPlan {
  switch (env.nodes.autoscaler) {
    case 'karpenter':
      return {
        nodeGroups: [systemNodeGroup(env)],
        addOns:
          capacitySplit(env) === 'on-demand-plus-spot'
            ? [karpenterAddOn(env), new SpotNodePoolAddOn(env)]
            : [karpenterAddOn(env)],
      };
    case 'cluster-autoscaler':
      return {
        nodeGroups: [systemNodeGroup(env), workloadNodeGroup(env)],
        addOns: [clusterAutoscalerAddOn(env)],
      };
  }
}
