import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addOnNamespaceBudget } from '../config/add-on-budgets.js';
import { loadEnvironment } from '../config/index.js';
import { capacityLabel } from '../config/labels.js';
import { type CfnTemplate, estimateEnvironment } from '../lib/finops/estimate.js';
import {
  backupPlanRules,
  eksClusterConfig,
  helmCharts,
  kubernetesObjects,
  manifests,
  resourcesOfType,
  type SynthesizedEnvironment,
  synthesize,
  tagsOf,
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

  it("lets CI deploy and diff every region prod's stacks live in, through each region's bootstrap roles", () => {
    const policy = (name: string) =>
      JSON.stringify(
        resourcesOfType(env.templates.delivery, 'AWS::IAM::ManagedPolicy').find(
          (p) => p.Properties?.ManagedPolicyName === name,
        )?.Properties?.PolicyDocument,
      );
    // eu-central-1 is home; the backup copy vault and the standby stacks are in eu-west-1, the
    // finops stack in us-east-1.
    for (const region of ['eu-central-1', 'eu-west-1', 'us-east-1']) {
      for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
        expect(policy('bank-prod-ci-cdk-deploy')).toContain(`-${kind}-role-${config.account}-${region}`);
      }
      expect(policy('bank-prod-ci-cdk-diff')).toContain(`-lookup-role-${config.account}-${region}`);
    }
    expect(policy('bank-prod-ci-cdk-diff')).not.toMatch(/deploy-role|publishing-role/);
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

  it('puts a compute quota and container defaults in the argocd and external-secrets namespaces', () => {
    const objects = kubernetesObjects(env.templates.cluster) as {
      kind: string;
      metadata: { name: string; namespace?: string };
      spec: Record<string, unknown>;
    }[];
    for (const namespace of ['argocd', 'external-secrets']) {
      const budget = addOnNamespaceBudget(config, namespace);
      const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === namespace);
      expect(quota?.spec.hard, namespace).toMatchObject({
        pods: String(budget.pods),
        'requests.cpu': `${budget.cpuRequestMillis}m`,
        'requests.memory': `${budget.memoryRequestMiB}Mi`,
        'services.loadbalancers': '0',
      });
      const limits = objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === namespace);
      expect(limits?.spec.limits, namespace).toEqual([
        { type: 'Container', defaultRequest: { cpu: '50m', memory: '64Mi' } },
      ]);
    }
    // Argo CD's production figures: 3 cores and 5Gi of requests, 30 pods.
    expect(addOnNamespaceBudget(config, 'argocd')).toMatchObject({
      pods: 30,
      cpuRequestMillis: 3000,
      memoryRequestMiB: 5120,
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
      new RegExp(`:rds:${config.region}:${config.account}:cluster:",\\{"Ref":"AuroraCluster[0-9A-F]{8}"\\}`),
    );
    expect(selection).toContain('{"Fn::GetAtt":["BackupsBucketC69911ED","Arn"]}');
    expect(selection).toContain(`:s3:::bank-prod-audit-${config.account}-${config.region}`);
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
                `:backup:eu-west-1:${config.account}:backup-vault:bank-prod-backup`,
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

  it('routes HIGH and CRITICAL GuardDuty, Security Hub and Inspector findings and NON_COMPLIANT Config evaluations to the on-call topic', () => {
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
            ProductName: [{ 'anything-but': ['GuardDuty', 'Inspector', 'Config'] }],
          },
        },
      },
      {
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        detail: { severity: ['HIGH', 'CRITICAL'], status: ['ACTIVE'] },
      },
      {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          messageType: ['ComplianceChangeNotification'],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
          $or: [
            {
              configRuleName: [
                'bank-prod-baseline-eks-endpoint-no-public-access',
                'bank-prod-baseline-eks-secrets-encrypted',
                'bank-prod-baseline-eks-cluster-logging-enabled',
                'bank-prod-baseline-eks-cluster-supported-version',
                'bank-prod-baseline-s3-bucket-public-read-prohibited',
                'bank-prod-baseline-s3-bucket-public-write-prohibited',
                'bank-prod-baseline-s3-bucket-ssl-requests-only',
                'bank-prod-baseline-s3-bucket-versioning-enabled',
              ],
            },
            {
              // The access-log bucket fails these two by design (SSE-S3 only; it does not log itself).
              configRuleName: [
                'bank-prod-baseline-s3-default-encryption-kms',
                'bank-prod-baseline-s3-bucket-logging-enabled',
              ],
              resourceId: [{ 'anything-but': [`bank-prod-access-logs-${config.account}-${config.region}`] }],
            },
          ],
        },
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
          // minimizePolicies merges the services that may publish into one statement.
          Match.objectLike({
            Action: 'sns:Publish',
            Effect: 'Allow',
            Principal: { Service: Match.arrayWith(['events.amazonaws.com']) },
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
            Principal: { Service: Match.arrayWith(['events.amazonaws.com']) },
          }),
        ]),
      },
    });
  });

  it('records every resource with AWS Config into its own encrypted, logged bucket', () => {
    const security = env.templates.security;
    security.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    security.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
      RoleARN: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:iam::${config.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          ],
        ],
      },
    });
    security.hasResourceProperties('AWS::IAM::ServiceLinkedRole', { AWSServiceName: 'config.amazonaws.com' });
    const [channel] = resourcesOfType(security, 'AWS::Config::DeliveryChannel');
    expect(channel?.Properties).toMatchObject({
      S3KeyPrefix: 'config',
      ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
    });
    expect(JSON.stringify(channel?.Properties?.S3KmsKeyArn)).toContain('AuditKey');
    security.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `bank-prod-config-${config.account}-${config.region}`,
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({
        LogFilePrefix: `bank-prod-config-${config.account}-${config.region}/`,
      }),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    // Config may only check the bucket and write under its own prefix, and only for this account.
    security.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AWSConfigBucketDelivery',
            Action: 's3:PutObject',
            Principal: { Service: 'config.amazonaws.com' },
            Condition: {
              StringEquals: {
                's3:x-amz-acl': 'bucket-owner-full-control',
                'aws:SourceAccount': config.account,
              },
            },
          }),
        ]),
      },
    });
  });

  it('checks the EKS cluster and every S3 bucket with AWS managed Config rules', () => {
    type ConfigRule = {
      ConfigRuleName: string;
      Source: { Owner: string; SourceIdentifier: string };
      Scope: { ComplianceResourceTypes: string[] };
      InputParameters?: Record<string, string>;
    };
    const rules = resourcesOfType(env.templates.security, 'AWS::Config::ConfigRule').map((r) => {
      const p = r.Properties as ConfigRule;
      return {
        name: p.ConfigRuleName,
        identifier: p.Source.SourceIdentifier,
        owner: p.Source.Owner,
        scope: p.Scope.ComplianceResourceTypes,
        input: p.InputParameters,
      };
    });
    const eks = ['AWS::EKS::Cluster'];
    const s3 = ['AWS::S3::Bucket'];
    const rule = (name: string, identifier: string, scope: string[], input?: Record<string, string>) => ({
      name: `bank-prod-baseline-${name}`,
      identifier,
      owner: 'AWS',
      scope,
      input,
    });
    expect(rules).toEqual([
      rule('eks-endpoint-no-public-access', 'EKS_ENDPOINT_NO_PUBLIC_ACCESS', eks),
      rule('eks-secrets-encrypted', 'EKS_SECRETS_ENCRYPTED', eks),
      rule('eks-cluster-logging-enabled', 'EKS_CLUSTER_LOGGING_ENABLED', eks, {
        logTypes: 'api,audit,authenticator,controllerManager,scheduler',
      }),
      rule('eks-cluster-supported-version', 'EKS_CLUSTER_SUPPORTED_VERSION', eks, {
        oldestVersionSupported: '1.33',
      }),
      rule('s3-bucket-public-read-prohibited', 'S3_BUCKET_PUBLIC_READ_PROHIBITED', s3),
      rule('s3-bucket-public-write-prohibited', 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED', s3),
      rule('s3-bucket-ssl-requests-only', 'S3_BUCKET_SSL_REQUESTS_ONLY', s3),
      rule('s3-bucket-versioning-enabled', 'S3_BUCKET_VERSIONING_ENABLED', s3),
      rule('s3-default-encryption-kms', 'S3_DEFAULT_ENCRYPTION_KMS', s3),
      rule('s3-bucket-logging-enabled', 'S3_BUCKET_LOGGING_ENABLED', s3),
    ]);
    // Every rule waits for the recorder: Config refuses a rule in an account without one.
    const template = env.templates.security.toJSON() as {
      Resources: Record<string, { Type: string; DependsOn?: string[] }>;
    };
    const recorderId = Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::Config::ConfigurationRecorder',
    )?.[0];
    for (const r of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Config::ConfigRule'))
      expect(r.DependsOn).toContain(recorderId);
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
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    `:s3:::bank-prod-backups-${config.account}-${config.region}/`,
                  ],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    `:s3:::bank-prod-assets-${config.account}-${config.region}/`,
                  ],
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

  it('prices every resource type of the prod templates, or says why it has no fixed price', () => {
    const templates = [
      ...Object.values(env.templates),
      ...(env.backupCopy ? [env.backupCopy.template] : []),
      ...(env.standby ? [env.standby.storage, env.standby.database] : []),
    ].map((t) => t.toJSON() as CfnTemplate);
    const estimate = estimateEnvironment(config, templates);
    expect(estimate.unpriced).toEqual([]);
    // The fixed items a reviewer expects in prod: three NAT gateways, the writer and its reader, the
    // interface endpoints in three AZs, the spot share of the Karpenter floor.
    const items = new Map(estimate.lines.map((l) => [l.item, l.quantity]));
    expect(items.get('NAT gateway')).toBe(3);
    expect(items.get('Aurora db.r7g.large')).toBe(2);
    expect(items.get('interface endpoint x AZ')).toBe(8 * 3);
    expect(items.get('Karpenter m7g.large spot')).toBeCloseTo(0.9);
    expect(estimate.totalUsd).toBeGreaterThan(1000);
    expect(estimate.totalUsd).toBeLessThan(config.monthlyBudgetUsd);
  });

  it('runs Karpenter on-demand by default and keeps a tainted spot pool at 30 % of the vCPU limit', () => {
    const pools = kubernetesObjects(env.templates.cluster).filter((o) => o.kind === 'NodePool') as {
      metadata: { name: string };
      spec: {
        template: { spec: { taints?: unknown[]; requirements: { key: string; values: string[] }[] } };
        limits: { cpu: number };
        weight: number;
      };
    }[];
    const capacity = (name: string) =>
      pools
        .find((p) => p.metadata.name === name)
        ?.spec.template.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type')?.values;
    expect(pools.map((p) => p.metadata.name).sort()).toEqual(['default-nodepool', 'spot-tolerant']);
    expect(capacity('default-nodepool')).toEqual(['on-demand']);
    expect(capacity('spot-tolerant')).toEqual(['spot']);
    const spot = pools.find((p) => p.metadata.name === 'spot-tolerant');
    // 30 nodes x 4 vCPU = 120; 30 % of it = 36 on spot, the other 84 on-demand.
    expect(spot?.spec.limits.cpu).toBe(36);
    expect(pools.find((p) => p.metadata.name === 'default-nodepool')?.spec.limits.cpu).toBe(84);
    expect(spot?.spec.template.spec.taints).toEqual([
      { key: capacityLabel(), value: 'spot', effect: 'NoSchedule' },
    ]);
  });

  it('budgets each service on the Environment and Service tags, 80 % actual and 100 % forecast', () => {
    const budgets = resourcesOfType(env.templates.security, 'AWS::Budgets::Budget').map(
      (b) => b.Properties?.Budget as { BudgetName: string; BudgetLimit: { Amount: number } },
    );
    expect(budgets.map((b) => [b.BudgetName, b.BudgetLimit.Amount]).sort()).toEqual([
      ['bank-prod-monthly', 12000],
      ['bank-prod-service-bank-api', 500],
      ['bank-prod-service-data', 3500],
      ['bank-prod-service-platform', 6000],
    ]);
    env.templates.security.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({
        BudgetName: 'bank-prod-service-data',
        FilterExpression: {
          And: [
            { Tags: { Key: 'Environment', Values: ['prod'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'Service', Values: ['data'], MatchOptions: ['EQUALS'] } },
          ],
        },
      }),
    });
  });

  it('tags Aurora as data and the image repositories and assets bucket as bank-api', () => {
    const service = (template: typeof env.templates.cluster, type: string) =>
      resourcesOfType(template, type).map((r) => tagsOf(r).Service);
    expect(service(env.templates.cluster, 'AWS::RDS::DBCluster')).toEqual(['data']);
    expect(new Set(service(env.templates.cluster, 'AWS::RDS::DBInstance'))).toEqual(new Set(['data']));
    // Both image repositories (bank-api's and bank-web's) bill to the customer app's budget line.
    expect(service(env.templates.delivery, 'AWS::ECR::Repository')).toEqual(['bank-api', 'bank-api']);
    expect(service(env.templates.network, 'AWS::EC2::NatGateway')).toEqual([
      'platform',
      'platform',
      'platform',
    ]);
    const buckets = new Map(
      resourcesOfType(env.templates.cluster, 'AWS::S3::Bucket').map((b) => [
        JSON.stringify(b.Properties?.BucketName),
        tagsOf(b).Service,
      ]),
    );
    expect([...buckets.entries()].find(([name]) => name.includes('assets'))?.[1]).toBe('bank-api');
    expect([...buckets.entries()].find(([name]) => name.includes('backups'))?.[1]).toBe('data');
    // Whole stacks: the standby database and the backup copy vault are data; Karpenter's nodes are platform.
    const standby = env.standby?.database;
    const copy = env.backupCopy?.template;
    if (!standby || !copy) throw new Error('prod has a standby database and a backup copy vault');
    expect(service(standby, 'AWS::RDS::DBCluster')).toEqual(['data']);
    // (the vault's tags are a map, BackupVaultTags; the copy stack's key carries the list form)
    expect(
      resourcesOfType(copy, 'AWS::Backup::BackupVault').map(
        (v) => (v.Properties?.BackupVaultTags as Record<string, string> | undefined)?.Service,
      ),
    ).toEqual(['data']);
    expect(service(copy, 'AWS::KMS::Key')).toEqual(['data']);
    const nodeClassText =
      manifests(env.templates.cluster).find(
        (m) => m.includes('EC2NodeClass') && m.includes('amiSelectorTerms'),
      ) ?? '';
    expect(nodeClassText).toMatch(/\\*"Service\\*":\\*"platform\\*"/);
  });

  it('detects cost anomalies in us-east-1 and pages the on-call topic, which admits costalerts', () => {
    env.templates.finops.hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    env.templates.finops.resourceCountIs('AWS::BCMDataExports::Export', 1);
    env.templates.security.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'costalerts.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': config.account } },
          }),
        ]),
      }),
    });
  });

  it('lets the CUR 2.0 export write into the audit bucket for this account only', () => {
    const policies = resourcesOfType(env.templates.security, 'AWS::S3::BucketPolicy').flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)?.Statement ??
        [],
    );
    const write = policies.find((s) => s.Sid === 'AllowCostExportWrite');
    expect(write?.Principal).toEqual({
      Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'],
    });
    expect(JSON.stringify(write?.Condition)).toContain(
      `:bcm-data-exports:us-east-1:${config.account}:export/*`,
    );
    expect(write?.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': config.account } });
  });

  it('saves the operator queries over the container and Aurora log groups, ships every container there as merged JSON', () => {
    const cluster = env.templates.cluster;
    const groupId = (name: string) =>
      Object.entries(cluster.findResources('AWS::Logs::LogGroup')).find(
        ([, r]) => r.Properties?.LogGroupName === name,
      )?.[0];
    const containers = groupId('/bank/prod/eks/containers');
    const postgresql = groupId('/aws/rds/cluster/bank-prod-aurora/postgresql');
    expect(containers && postgresql).toBeTruthy();
    const queries = resourcesOfType(cluster, 'AWS::Logs::QueryDefinition').map((q) => [
      q.Properties?.Name,
      q.Properties?.LogGroupNames,
    ]);
    expect(Object.fromEntries(queries)).toEqual({
      'bank-prod-ops/bank-api/errors-by-route': [{ Ref: containers }],
      'bank-prod-ops/bank-api/slowest-requests': [{ Ref: containers }],
      'bank-prod-ops/bank-api/request-by-id': [{ Ref: containers }],
      'bank-prod-ops/bank-api/failed-transfers-by-reason': [{ Ref: containers }],
      'bank-prod-ops/bank-api/rejected-logins': [{ Ref: containers }],
      'bank-prod-ops/aurora/slow-statements': [{ Ref: postgresql }],
      'bank-prod-ops/argocd/sync-failures': [{ Ref: containers }],
    });
    const fluentBit = helmCharts(cluster).find((c) => c.Chart === 'aws-for-fluent-bit');
    const values = JSON.parse(String(fluentBit?.Values));
    expect(values.cloudWatchLogs).toMatchObject({
      enabled: true,
      logGroupName: '/bank/prod/eks/containers',
      logGroupTemplate: '',
      autoCreateGroup: false,
    });
    expect(values.filter).toEqual({ mergeLog: 'On', mergeLogKey: 'data', keepLog: 'Off' });
  });

  it('creates the X-Ray sampling rules of bank-api and a Pod Identity role for the trace collector', () => {
    const cluster = env.templates.cluster;
    const rules = resourcesOfType(cluster, 'AWS::XRay::SamplingRule').map(
      (r) => (r.Properties?.SamplingRule as { RuleName: string } | undefined)?.RuleName,
    );
    expect(rules.sort()).toEqual(
      ['default', 'deposits', 'livez', 'readyz', 'transfers'].map((n) => `bank-prod-api-${n}`),
    );
    cluster.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'monitoring',
      ServiceAccount: 'otel-collector',
    });
    // The actions of AWSXrayWriteOnlyAccess, written out here.
    cluster.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'bank-prod-trace-collector',
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            // Sorted: the minimizePolicies feature flag orders a statement's actions.
            Action: [
              'xray:GetSamplingRules',
              'xray:GetSamplingStatisticSummaries',
              'xray:GetSamplingTargets',
              'xray:PutTelemetryRecords',
              'xray:PutTraceSegments',
            ],
            Resource: '*',
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('passes every compliance pack', () => {
    expect(env.complianceFindings).toEqual([]);
  });
});
