import { describe, expect, it } from 'vitest';
import { loadEnvironments } from '../../platform/config/index.js';
import { eksClusterConfig, resourcesOfType, synthesize } from '../../platform/test/synth.js';

// checkov's EKS policies match the `AWS::EKS::Cluster` resource type only, but aws-cdk-lib's EKS
// construct creates the cluster through the `Custom::AWSCDK-EKS-Cluster` custom resource, so checkov
// never sees it (docs/security.md). These assertions stand in for those policies, on every
// environment's synthesized template, one per policy id: CKV_AWS_58 (CloudFormation) and the
// control-plane policies checkov applies to Terraform, CKV_AWS_37/38/39.

const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
const environments = loadEnvironments();

describe.each(environments.map((env) => [env.name, env] as const))(
  '%s: EKS controls checkov cannot see',
  (_name, env) => {
    const synthesized = synthesize(env);
    const cluster = async () => {
      const { templates } = await synthesized;
      expect(resourcesOfType(templates.cluster, 'AWS::EKS::Cluster')).toEqual([]);
      return { config: eksClusterConfig(templates.cluster), template: templates.cluster.toJSON() };
    };

    it('CKV_AWS_58: Kubernetes Secrets are envelope-encrypted with a customer-managed KMS key', async () => {
      const { config, template } = await cluster();
      expect(config.encryptionConfig).toHaveLength(1);
      const [encryption] = config.encryptionConfig as {
        resources: string[];
        provider: { keyArn: unknown };
      }[];
      expect(encryption?.resources).toEqual(['secrets']);
      const keyRef = encryption?.provider.keyArn as { 'Fn::GetAtt': [string, string] };
      const key = (
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>
      )[keyRef['Fn::GetAtt'][0]];
      expect(key?.Type).toBe('AWS::KMS::Key');
      expect(key?.Properties.EnableKeyRotation).toBe(true);
    });

    it('CKV_AWS_37: every control-plane log type is enabled', async () => {
      const { config } = await cluster();
      const types = config.logging.clusterLogging.flatMap((l) => l.types);
      expect([...types].sort()).toEqual(CONTROL_PLANE_LOG_TYPES);
    });

    it('CKV_AWS_39: the API endpoint is private, with public access only where config allows CIDRs', async () => {
      const { config } = await cluster();
      const vpc = config.resourcesVpcConfig;
      expect(vpc.endpointPrivateAccess).toBe(true);
      expect(vpc.endpointPublicAccess).toBe(env.apiAllowedCidrs.length > 0);
      if (env.name === 'prod') expect(vpc.endpointPublicAccess).toBe(false);
    });

    it('CKV_AWS_38: a public endpoint is never open to the internet', async () => {
      const { config } = await cluster();
      const vpc = config.resourcesVpcConfig;
      if (!vpc.endpointPublicAccess) return;
      expect(vpc.publicAccessCidrs).toEqual(env.apiAllowedCidrs);
      for (const cidr of vpc.publicAccessCidrs ?? []) expect(cidr).not.toMatch(/^0\.0\.0\.0\/0$|^::\/0$/);
    });

    it('runs the Kubernetes version pinned in the environment config', async () => {
      const { config } = await cluster();
      expect(config.version).toBe(env.kubernetesVersion);
    });
  },
);
