import * as blueprints from '@aws-quickstart/eks-blueprints';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import type { EnvironmentConfig } from '../../config/index.js';
import { nodePoolLabel } from '../../config/labels.js';
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

export function karpenterAddOn(env: EnvironmentConfig): blueprints.KarpenterV1AddOn {
  const cluster = clusterName(env);
  const capacityTypes = env.nodes.spot ? ['spot', 'on-demand'] : ['on-demand'];
  // Rough vCPU budget: maxCapacity nodes of the large (2 vCPU) to xlarge (4 vCPU) sizes.
  const cpuLimit = env.nodes.maxCapacity * 4;
  return new blueprints.KarpenterV1AddOn({
    version: CHART_VERSIONS.karpenter,
    interruptionHandling: true,
    podIdentity: true,
    nodePoolSpec: {
      labels: { [nodePoolLabel()]: 'workload' },
      requirements: [
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: env.nodes.instanceFamilies },
        { key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['large', 'xlarge', '2xlarge'] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacityTypes },
        {
          key: 'topology.kubernetes.io/zone',
          operator: 'In',
          values: ['a', 'b', 'c'].slice(0, env.azCount).map((z) => `${env.region}${z}`),
        },
      ],
      // Blueprints renders an absent weight as `weight: null`, which strict validators (kubeconform,
      // server-side dry run) refuse. With a single pool the value orders nothing; 10 leaves room for
      // pools added later to rank above or below it.
      weight: 10,
      expireAfter: '720h',
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '5m',
        // At most 10 % of nodes disrupted at once, and no voluntary disruption in business hours (UTC).
        budgets: [{ nodes: '10%' }, { nodes: '0', schedule: '0 7 * * mon-fri', duration: '10h' }],
      },
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
      tags: { Name: `${cluster}-karpenter-node`, ...costAllocationTags(env) },
      detailedMonitoring: env.nodes.detailedMonitoring,
    },
  });
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
      return { nodeGroups: [systemNodeGroup(env)], addOns: [karpenterAddOn(env)] };
    case 'cluster-autoscaler':
      return {
        nodeGroups: [systemNodeGroup(env), workloadNodeGroup(env)],
        addOns: [clusterAutoscalerAddOn(env)],
      };
  }
}
