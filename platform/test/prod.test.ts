import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config/index.js';
import {
  backupPlanRules,
  eksClusterConfig,
  helmCharts,
  manifests,
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

  it('launches every node from the pinned AL2023 release, never @latest', () => {
    const all = manifests(env.templates.cluster);
    const nodeClass = all.find((m) => m.includes('EC2NodeClass') && m.includes('amiSelectorTerms'));
    expect(config.nodes.amiAlias).toBe('al2023@v20260512');
    // The manifest is JSON inside a JSON string: quotes are escaped once or twice.
    expect(nodeClass).toMatch(/\\*"amiSelectorTerms\\*":\[\{\\*"alias\\*":\\*"al2023@v20260512\\*"\}\]/);
    expect(all.some((m) => m.includes('@latest'))).toBe(false);
    // The managed (system) node group runs the same release, for the cluster's Kubernetes version.
    const groups = resourcesOfType(env.templates.cluster, 'AWS::EKS::Nodegroup');
    expect(groups.map((g) => [g.Properties?.NodegroupName, g.Properties?.ReleaseVersion])).toEqual([
      ['system', '1.34.7-20260512'],
    ]);
    // The single NodePool carries an explicit weight: Blueprints would otherwise render `weight: null`.
    const pool = all.find((m) => m.includes('NodePool') && m.includes('disruption'));
    expect(pool).toMatch(/\\*"weight\\*":10[,}]/);
    expect(pool).not.toMatch(/\\*":null/);
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

  it('backs up Aurora and the backup and audit buckets daily for 35 days into a COMPLIANCE-locked vault', () => {
    const vaults = resourcesOfType(env.templates.cluster, 'AWS::Backup::BackupVault');
    expect(vaults).toHaveLength(1);
    expect(vaults[0]?.Properties?.BackupVaultName).toBe('bank-prod-backup');
    // A grace period (ChangeableForDays) is what makes AWS apply the lock in compliance mode.
    expect(vaults[0]?.Properties?.LockConfiguration).toEqual({
      MinRetentionDays: 35,
      MaxRetentionDays: 2555,
      ChangeableForDays: 3,
    });
    env.templates.cluster.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    const rules = backupPlanRules(env.templates.cluster);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Lifecycle).toEqual({ DeleteAfterDays: 35 });
    const selection = JSON.stringify(
      resourcesOfType(env.templates.cluster, 'AWS::Backup::BackupSelection')[0]?.Properties,
    );
    expect(selection).toMatch(
      /:rds:eu-central-1:222222222222:cluster:",\{"Ref":"AuroraCluster[0-9A-F]{8}"\}/,
    );
    expect(selection).toContain('{"Fn::GetAtt":["BackupsBucketC69911ED","Arn"]}');
    expect(selection).toContain(':s3:::bank-prod-audit-222222222222-eu-central-1');
  });

  it('copies every recovery point to a vault of the same name in eu-west-1, locked the same way', () => {
    const [rule] = backupPlanRules(env.templates.cluster);
    expect(JSON.stringify(rule?.CopyActions)).toBe(
      JSON.stringify([
        {
          DestinationBackupVaultArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':backup:eu-west-1:222222222222:backup-vault:bank-prod-backup',
              ],
            ],
          },
          Lifecycle: { DeleteAfterDays: 35 },
        },
      ]),
    );
    const copy = env.backupCopy;
    expect(copy?.region).toBe('eu-west-1');
    const [copyVault] = resourcesOfType(copy?.template as Template, 'AWS::Backup::BackupVault');
    expect(copyVault?.Properties?.BackupVaultName).toBe('bank-prod-backup');
    expect(copyVault?.Properties?.LockConfiguration).toEqual({
      MinRetentionDays: 35,
      MaxRetentionDays: 2555,
      ChangeableForDays: 3,
    });
    // Its own key in eu-west-1: a copy must not depend on a key in the region it is meant to outlive.
    expect(copyVault?.Properties?.EncryptionKeyArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^BackupCopyKey/), 'Arn'],
    });
    copy?.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('enables Security Hub with the Foundational and CIS standards and Inspector ECR scanning', () => {
    const security = env.templates.security;
    security.hasResourceProperties('AWS::SecurityHub::Hub', {
      EnableDefaultStandards: false,
      ControlFindingGenerator: 'SECURITY_CONTROL',
    });
    const standards = resourcesOfType(security, 'AWS::SecurityHub::Standard').map((s) =>
      JSON.stringify(s.Properties?.StandardsArn),
    );
    expect(standards).toEqual([
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:eu-central-1::standards/aws-foundational-security-best-practices/v/1.0.0',
          ],
        ],
      }),
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:eu-central-1::standards/cis-aws-foundations-benchmark/v/3.0.0',
          ],
        ],
      }),
    ]);
    security.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [
        { ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] },
      ],
    });
    security.resourceCountIs('AWS::GuardDuty::Detector', 1);
  });

  it('routes HIGH and CRITICAL GuardDuty, Security Hub and Inspector findings to the on-call topic', () => {
    const security = env.templates.security;
    const topicRef = { Ref: 'OnCallTopic2FB15ED5' };
    const rules = resourcesOfType(security, 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties?.EventPattern)).toEqual([
      {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      },
      {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        detail: {
          findings: {
            Severity: { Label: ['HIGH', 'CRITICAL'] },
            Workflow: { Status: ['NEW'] },
            RecordState: ['ACTIVE'],
            ProductName: [{ 'anything-but': ['GuardDuty', 'Inspector'] }],
          },
        },
      },
      {
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        detail: { severity: ['HIGH', 'CRITICAL'], status: ['ACTIVE'] },
      },
    ]);
    for (const rule of rules) {
      expect(rule.Properties?.State).toBe('ENABLED');
      expect(rule.Properties?.Targets).toEqual([{ Arn: topicRef, Id: 'Target0' }]);
    }
    // EventBridge may publish to the topic and use its KMS key (the topic is encrypted).
    security.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: topicRef,
          }),
        ]),
      },
    });
    security.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it('records S3 data events (reads and writes) of the audit, backups and assets buckets', () => {
    const [trail] = resourcesOfType(env.templates.security, 'AWS::CloudTrail::Trail');
    expect(trail?.Properties?.EventSelectors).toEqual([
      { IncludeManagementEvents: true, ReadWriteType: 'All' },
      {
        DataResources: [
          {
            Type: 'AWS::S3::Object',
            Values: [
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AuditTrailBucketA91FD435', 'Arn'] }, '/']] },
              {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':s3:::bank-prod-backups-222222222222-eu-central-1/'],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':s3:::bank-prod-assets-222222222222-eu-central-1/'],
                ],
              },
            ],
          },
        ],
        IncludeManagementEvents: false,
        ReadWriteType: 'All',
      },
    ]);
  });

  it('passes every compliance pack', () => {
    expect(env.complianceFindings).toEqual([]);
  });
});
