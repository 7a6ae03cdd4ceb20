import { beforeAll, describe, expect, it } from 'vitest';
import { PINNED_VERSIONS } from '../../test/expected/pinned-versions.js';
import { rawEnvironments } from '../config/environments.js';
import { parseEnvironment } from '../config/index.js';
import {
  eksClusterConfig,
  helmCharts,
  manifests,
  resourcesOfType,
  type SynthesizedEnvironment,
  synthesize,
} from './synth.js';

// The same dev environment with the other autoscaler selected: proves the config switch alone
// produces a complete, compliant Cluster Autoscaler variant.
const raw = rawEnvironments.dev as { nodes: Record<string, unknown> };
const config = parseEnvironment('dev', {
  ...raw,
  nodes: { ...raw.nodes, autoscaler: 'cluster-autoscaler', amiReleaseVersion: '1.34.7-20260512' },
});
let env: SynthesizedEnvironment;

beforeAll(async () => {
  env = await synthesize(config);
});

describe('dev with Cluster Autoscaler', () => {
  it('installs Cluster Autoscaler at the version pinned for the Kubernetes minor, and no Karpenter', () => {
    const charts = new Map(helmCharts(env.templates.cluster).map((c) => [c.Chart, c.Version]));
    expect(charts.get('cluster-autoscaler')).toBe(
      PINNED_VERSIONS.clusterAutoscaler[config.kubernetesVersion],
    );
    expect(charts.has('karpenter')).toBe(false);
    expect(manifests(env.templates.cluster).some((m) => m.includes('NodePool'))).toBe(false);
  });

  it('adds a workload node group sized by the config, spread over the private subnets', () => {
    env.templates.cluster.hasResourceProperties('AWS::EKS::Nodegroup', {
      NodegroupName: 'workload',
      ScalingConfig: {
        MinSize: config.nodes.minCapacity,
        MaxSize: config.nodes.maxCapacity,
        DesiredSize: config.nodes.minCapacity,
      },
      InstanceTypes: config.nodes.instanceFamilies.map((f) => `${f}.large`),
    });
    const groups = resourcesOfType(env.templates.cluster, 'AWS::EKS::Nodegroup');
    expect(groups.map((g) => g.Properties?.NodegroupName).sort()).toEqual(['system', 'workload']);
  });

  it('launches both node groups from the AMI release in config', () => {
    const groups = resourcesOfType(env.templates.cluster, 'AWS::EKS::Nodegroup');
    expect(groups.map((g) => g.Properties?.ReleaseVersion)).toEqual(['1.34.7-20260512', '1.34.7-20260512']);
  });

  it("confines scaling actions to this cluster's node groups", () => {
    const policies = resourcesOfType(env.templates.cluster, 'AWS::IAM::ManagedPolicy').map((p) =>
      JSON.stringify(p.Properties),
    );
    const autoscaler = policies.find((p) => p.includes('autoscaling:SetDesiredCapacity'));
    expect(autoscaler).toContain('"Effect":"Deny"');
    expect(autoscaler).toContain(`aws:ResourceTag/k8s.io/cluster-autoscaler/${'bank-dev-eks'}`);
  });

  it('uses access entries only', () => {
    expect(eksClusterConfig(env.templates.cluster).accessConfig.authenticationMode).toBe('API');
  });

  it('passes every compliance pack', () => {
    expect(env.complianceFindings).toEqual([]);
  });
});
