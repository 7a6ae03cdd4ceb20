import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config/index.js';
import {
  eksClusterConfig,
  helmCharts,
  resourcesOfType,
  type SynthesizedEnvironment,
  synthesize,
} from './synth.js';

const config = loadEnvironment('prod');
let env: SynthesizedEnvironment;

beforeAll(async () => {
  env = await synthesize(config);
});

describe('prod', () => {
  it('runs a NAT gateway in each of the three AZs', () => {
    env.templates.network.resourceCountIs('AWS::EC2::NatGateway', 3);
    const zones = new Set(
      resourcesOfType(env.templates.network, 'AWS::EC2::Subnet').map((s) => s.Properties?.AvailabilityZone),
    );
    expect(zones.size).toBe(3);
  });

  it('has no public Kubernetes API endpoint', () => {
    const vpcConfig = eksClusterConfig(env.templates.cluster).resourcesVpcConfig;
    expect(vpcConfig.endpointPublicAccess).toBe(false);
    expect(vpcConfig.endpointPrivateAccess).toBe(true);
  });

  it('protects Aurora: deletion protection, 35-day backups, snapshot-safe removal', () => {
    env.templates.cluster.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        DeletionProtection: true,
        BackupRetentionPeriod: 35,
        StorageEncrypted: true,
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('puts the writer and its reader in different AZs', () => {
    const zones = resourcesOfType(env.templates.cluster, 'AWS::RDS::DBInstance').map(
      (i) => i.Properties?.AvailabilityZone,
    );
    expect(zones).toHaveLength(2);
    expect(new Set(zones).size).toBe(2);
  });

  it('scales Aurora readers 1-5 on CPU', () => {
    env.templates.cluster.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'rds',
      ScalableDimension: 'rds:cluster:ReadReplicaCount',
      MinCapacity: 1,
      MaxCapacity: 5,
    });
    env.templates.cluster.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' },
      }),
    });
  });

  it('locks audit logs in COMPLIANCE mode', () => {
    env.templates.security.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
    });
  });

  it('installs Argo CD with the production overlay (HA redis, replicated server)', () => {
    const argo = helmCharts(env.templates.cluster).find((c) => c.Chart === 'argo-cd');
    const values = JSON.parse(String(argo?.Values)) as Record<string, Record<string, unknown>>;
    expect(values['redis-ha']?.enabled).toBe(true);
    expect(values.server?.replicas).toBe(2);
    expect(values.configs).toBeDefined();
  });

  it('passes every compliance pack', () => {
    expect(env.complianceFindings).toEqual([]);
  });
});
