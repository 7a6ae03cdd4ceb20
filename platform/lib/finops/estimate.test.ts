import { describe, expect, it } from 'vitest';
import { withValues } from '../../../test/support/raw-config.js';
import { rawEnvironments } from '../../config/environments.js';
import { parseEnvironment } from '../../config/index.js';
import { estimateEnvironment, formatEstimate } from './estimate.js';

// A known template and config give a known total; the expected figures are worked out by hand below
// from the prices in platform/lib/finops/prices.ts (730 hours a month).

const dev = rawEnvironments.dev as Record<string, unknown>;
// Karpenter, 2 workload nodes of m7g.large, half of them spot, no detailed monitoring.
const config = parseEnvironment(
  'dev',
  withValues(dev, {
    'nodes.minCapacity': 2,
    'nodes.instanceFamilies': ['m7g'],
    'nodes.detailedMonitoring': false,
    'finops.spotSharePercent': 50,
  }),
);

const template = {
  Resources: {
    Nat: { Type: 'AWS::EC2::NatGateway' },
    Eip: { Type: 'AWS::EC2::EIP' },
    Ecr: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b', 'c'] },
    },
    S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
    Writer: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t4g.medium' } },
    Cluster: { Type: 'AWS::RDS::DBCluster' },
    System: {
      Type: 'AWS::EKS::Nodegroup',
      Properties: {
        InstanceTypes: ['m7g.large'],
        CapacityType: 'ON_DEMAND',
        ScalingConfig: { DesiredSize: 3 },
      },
    },
    Eks: { Type: 'Custom::AWSCDK-EKS-Cluster' },
    Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{}, {}, {}, {}, {}] } },
    Key1: { Type: 'AWS::KMS::Key' },
    Key2: { Type: 'AWS::KMS::Key' },
    Secret: { Type: 'AWS::SecretsManager::Secret' },
    Alarm: { Type: 'AWS::CloudWatch::Alarm' },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Role: { Type: 'AWS::IAM::Role' },
  },
};

describe('cost estimate', () => {
  const estimate = estimateEnvironment(config, [template]);
  const line = (item: string) => estimate.lines.find((l) => l.item === item)?.monthlyUsd;

  it('prices each counted resource from the table', () => {
    expect(line('NAT gateway')).toBe(37.96); // 730 x 0.052
    expect(line('public IPv4 address')).toBe(3.65); // 730 x 0.005
    expect(line('interface endpoint x AZ')).toBe(26.28); // 3 AZs x 730 x 0.012; the gateway endpoint is free
    expect(line('Aurora db.t4g.medium')).toBe(62.78); // 730 x 0.086
    expect(line('Aurora storage (assumed)')).toBe(5.5); // 50 GB x 0.11
    expect(line('node group m7g.large')).toBe(212.87); // 3 x 730 x 0.0972
    expect(line('EKS control plane')).toBe(73);
    expect(line('WAF web ACL')).toBe(5);
    expect(line('WAF rules')).toBe(5);
    expect(line('KMS keys')).toBe(2);
    expect(line('Secrets Manager secrets')).toBe(0.4);
    expect(line('CloudWatch alarms')).toBe(0.1);
  });

  it('splits the Karpenter nodes by the spot share and adds their root volumes and the ALB', () => {
    expect(line('Karpenter m7g.large on-demand')).toBe(70.96); // 1 x 730 x 0.0972
    expect(line('Karpenter m7g.large spot')).toBe(28.38); // 1 x 730 x 0.0972 x 0.4
    expect(line('node root volumes gp3')).toBe(23.8); // (3 + 2) nodes x 50 GB x 0.0952
    expect(line('Application Load Balancer')).toBe(19.71); // 730 x 0.027
    expect(line('ALB capacity units')).toBe(7.01); // 730 x 0.0096
    expect(line('EC2 detailed monitoring')).toBeUndefined();
  });

  it('adds up to the known total and names the usage-billed types', () => {
    expect(estimate.totalUsd).toBe(584.4);
    expect(estimate.usageBased).toEqual(['AWS::S3::Bucket']);
    expect(estimate.unpriced).toEqual([]);
    expect(formatEstimate(estimate)).toContain('584.40 USD/month');
  });

  it('lists a resource type the table does not know instead of pricing it at zero', () => {
    const unknown = estimateEnvironment(config, [{ Resources: { X: { Type: 'AWS::Redshift::Cluster' } } }]);
    expect(unknown.unpriced).toEqual(['AWS::Redshift::Cluster']);
    expect(formatEstimate(unknown)).toContain(
      'UNPRICED resource types (add them to prices.ts): AWS::Redshift::Cluster',
    );
  });

  it('refuses an instance class the table has no price for', () => {
    const db = {
      Resources: { D: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.x2g.large' } } },
    };
    expect(() => estimateEnvironment(config, [db])).toThrow('no Aurora price for db.x2g.large');
  });

  it('prices a spot managed node group at the spot factor', () => {
    const group = {
      Resources: {
        W: {
          Type: 'AWS::EKS::Nodegroup',
          Properties: {
            InstanceTypes: ['c7g.large'],
            CapacityType: 'SPOT',
            ScalingConfig: { DesiredSize: 2 },
          },
        },
      },
    };
    const spot = estimateEnvironment(config, [group]);
    expect(spot.lines.find((l) => l.item === 'node group c7g.large spot')?.monthlyUsd).toBe(48.24); // 2 x 730 x 0.0826 x 0.4 = 48.2384
  });
});
