import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GITOPS_ROOT } from '../../argocd/applications.js';
import { PINNED_VERSIONS } from '../../test/expected/pinned-versions.js';
import { loadEnvironment } from '../config/index.js';
import { subnetCidrs } from '../lib/network/subnet-plan.js';
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

const config = loadEnvironment('dev');
let env: SynthesizedEnvironment;

beforeAll(async () => {
  env = await synthesize(config);
});

describe('dev: network', () => {
  it('spans three AZs with public, private and isolated subnets in each', () => {
    const subnets = resourcesOfType(env.templates.network, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(9);
    const zones = new Set(subnets.map((s) => s.Properties?.AvailabilityZone));
    expect([...zones].sort()).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
    const tiers = subnets.map((s) => tagsOf(s)['aws-cdk:subnet-type']);
    expect(tiers.filter((t) => t === 'Public')).toHaveLength(3);
    expect(tiers.filter((t) => t === 'Private')).toHaveLength(3);
    expect(tiers.filter((t) => t === 'Isolated')).toHaveLength(3);
  });

  it('predicts every subnet CIDR (subnetCidrs) exactly as the VPC allocates them', () => {
    const planned = subnetCidrs(config.vpcCidr, config.region, config.azCount);
    const actual = (tier: string) =>
      resourcesOfType(env.templates.network, 'AWS::EC2::Subnet')
        .filter((s) => tagsOf(s)['aws-cdk:subnet-name'] === tier)
        .map((s) => s.Properties?.CidrBlock);
    expect(actual('public')).toEqual(planned.public);
    expect(actual('private')).toEqual(planned.private);
    expect(actual('database')).toEqual(planned.database);
    expect(planned.database).toEqual(['10.10.128.0/22', '10.10.132.0/22', '10.10.136.0/22']);
  });

  it('uses one NAT gateway in dev', () => {
    env.templates.network.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('logs all traffic to a KMS-encrypted log group kept at least a year', () => {
    env.templates.network.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    env.templates.network.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: Match.anyValue(),
    });
    for (const group of resourcesOfType(env.templates.network, 'AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays as number).toBeGreaterThanOrEqual(365);
    }
  });

  it('has the S3 gateway endpoint and interface endpoints for the services nodes call', () => {
    const endpoints = resourcesOfType(env.templates.network, 'AWS::EC2::VPCEndpoint');
    const names = endpoints.map((e) => JSON.stringify(e.Properties?.ServiceName));
    for (const service of [
      'ecr.api',
      'ecr.dkr',
      'sts',
      'secretsmanager',
      'logs',
      'ssm',
      'ec2',
      'eks-auth',
      's3',
    ]) {
      expect(
        names.some((n) => n.includes(`.${service}`)),
        service,
      ).toBe(true);
    }
  });

  it('closes the default security group', () => {
    expect(resourcesOfType(env.templates.network, 'Custom::VpcRestrictDefaultSG')).toHaveLength(1);
  });
});

describe('dev: EKS', () => {
  const clusterConfig = () => eksClusterConfig(env.templates.cluster);

  it('logs every control-plane log type', () => {
    const types = clusterConfig().logging.clusterLogging.flatMap((l) => l.types);
    expect([...types].sort()).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
  });

  it('encrypts Secrets with a rotating customer key', () => {
    expect(clusterConfig().encryptionConfig.flatMap((e) => e.resources)).toEqual(['secrets']);
    for (const template of Object.values(env.templates)) {
      for (const key of resourcesOfType(template, 'AWS::KMS::Key'))
        expect(key.Properties?.EnableKeyRotation).toBe(true);
    }
  });

  it('keeps the endpoint private and limits public access to the configured CIDRs', () => {
    const vpcConfig = clusterConfig().resourcesVpcConfig;
    expect(vpcConfig.endpointPrivateAccess).toBe(true);
    expect(vpcConfig.endpointPublicAccess).toBe(true);
    expect(vpcConfig.publicAccessCidrs).toEqual(config.apiAllowedCidrs);
  });

  it('pins the Kubernetes version and uses access entries', () => {
    expect(clusterConfig().version).toBe(config.kubernetesVersion);
    expect(clusterConfig().accessConfig.authenticationMode).toBe('API_AND_CONFIG_MAP');
    env.templates.cluster.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX' });
  });

  it('runs a system node group across the private subnets with IMDSv2 required', () => {
    env.templates.cluster.hasResourceProperties('AWS::EKS::Nodegroup', {
      NodegroupName: 'system',
      ScalingConfig: { MinSize: 3, MaxSize: 3, DesiredSize: 3 },
      AmiType: 'AL2023_ARM_64_STANDARD',
    });
    env.templates.cluster.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    });
  });

  it('installs every add-on and chart at the version in test/expected/pinned-versions.yaml', () => {
    const addons = resourcesOfType(env.templates.cluster, 'AWS::EKS::Addon');
    expect(
      Object.fromEntries(addons.map((a) => [a.Properties?.AddonName, a.Properties?.AddonVersion])),
    ).toEqual(PINNED_VERSIONS.eksAddOns[config.kubernetesVersion]);
    const vpcCni = addons.find((a) => a.Properties?.AddonName === 'vpc-cni');
    expect(JSON.stringify(vpcCni?.Properties?.ConfigurationValues)).toContain('enableNetworkPolicy');
    const charts = helmCharts(env.templates.cluster);
    // Exactly the listed charts: a chart added, dropped or re-versioned in code alone fails here.
    expect(Object.fromEntries(charts.map((c) => [c.Chart, c.Version]))).toEqual(
      PINNED_VERSIONS.clusterHelmCharts,
    );
  });

  it('autoscales with Karpenter over all AZs, spot and on-demand, with disruption budgets', () => {
    const pool = manifests(env.templates.cluster).find(
      (m) => m.includes('"kind\\":\\"NodePool') || m.includes('NodePool'),
    );
    expect(pool).toBeDefined();
    for (const fragment of [
      'eu-central-1a',
      'eu-central-1b',
      'eu-central-1c',
      'spot',
      'on-demand',
      'WhenEmptyOrUnderutilized',
      'budgets',
    ]) {
      expect(pool).toContain(fragment);
    }
    // Strict validators refuse null fields; Blueprints writes one for an absent weight.
    expect(pool).not.toMatch(/\\*":null/);
    expect(pool).toMatch(/\\*"weight\\*":10[,}]/);
    const nodeClass = manifests(env.templates.cluster).find(
      (m) => m.includes('EC2NodeClass') && m.includes('subnetSelectorTerms'),
    );
    expect(nodeClass).toContain('karpenter.sh/discovery');
    // Dev follows every AL2023 release (the canary for production's pin); its node group takes the
    // newest release when it is created.
    expect(nodeClass).toMatch(/\\*"alias\\*":\\*"al2023@latest\\*"/);
    const [system] = resourcesOfType(env.templates.cluster, 'AWS::EKS::Nodegroup');
    expect(system?.Properties?.ReleaseVersion).toBeUndefined();
    for (const tag of ['Environment', 'Project', 'CostCenter', 'Owner', 'DataClassification'])
      expect(nodeClass).toContain(tag);
  });

  it('encrypts the Karpenter interruption queue and refuses plain-text access to it', () => {
    env.templates.cluster.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    env.templates.cluster.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('bootstraps Argo CD: the bootstrap project, then a root Application on the manifests branch', () => {
    const root = kubernetesObjects(env.templates.cluster).find((o) => o.kind === 'Application') as {
      metadata: { name: string };
      spec: { project: string; source: { repoURL: string; targetRevision: string; path: string } };
    };
    expect(root.metadata.name).toBe(GITOPS_ROOT.application);
    expect(root.spec.project).toBe(GITOPS_ROOT.project);
    expect(root.spec.source).toMatchObject({
      repoURL: config.gitops.repoUrl,
      targetRevision: config.gitops.branch,
      // The layout docs/gitops.md documents: the bootstrap folder beside the workloads folder.
      path: `manifests/argocd/${config.name}`,
    });
    expect(config.gitops.path).toBe(`manifests/${config.name}`);
    // Argo CD drops an all-default `directory` block from the live object; the root would never settle.
    expect(root.spec.source).not.toHaveProperty('directory');
    env.templates.cluster.hasResource('Custom::AWSCDK-EKS-KubernetesResource', {
      Properties: { Manifest: Match.stringLikeRegexp('"kind":"Application"') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('GitOpsBootstrapProject')]),
    });
  });

  it('configures Argo CD from argocd/values.yaml, including the Application health check', () => {
    const argo = helmCharts(env.templates.cluster).find((c) => c.Chart === 'argo-cd');
    const values = JSON.parse(String(argo?.Values)) as {
      configs: { cm: Record<string, string> };
      dex: { enabled: boolean };
    };
    expect(values.configs.cm['resource.customizations.health.argoproj.io_Application']).toContain(
      'obj.status.health',
    );
    expect(values.dex.enabled).toBe(false);
  });

  it('binds the bank API, Grafana, Alertmanager and the trace collector to their service accounts with Pod Identity', () => {
    env.templates.cluster.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'bank',
      ServiceAccount: 'bank-api',
    });
    env.templates.cluster.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'monitoring',
      ServiceAccount: 'kube-prometheus-stack-grafana',
    });
    env.templates.cluster.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'monitoring',
      ServiceAccount: 'otel-collector',
    });
    const trusts = resourcesOfType(env.templates.cluster, 'AWS::IAM::Role')
      .map((r) => JSON.stringify(r.Properties?.AssumeRolePolicyDocument))
      .filter((doc) => doc.includes('pods.eks.amazonaws.com'));
    const ours = trusts.filter((doc) => doc.includes('aws:SourceArn'));
    expect(ours).toHaveLength(4);
    for (const doc of ours) expect(doc).toContain('sts:TagSession');
  });
});

describe('dev: least privilege on the database', () => {
  const policiesOf = (roleName: string) =>
    resourcesOfType(env.templates.cluster, 'AWS::IAM::ManagedPolicy').filter(
      (p) => p.Properties?.ManagedPolicyName === roleName,
    );

  it('lets the bank API connect only as bank_api with IAM tokens, and read no secret', () => {
    const [policy, ...others] = policiesOf('bank-dev-bank-api');
    expect(others).toHaveLength(0);
    expect(policy).toBeDefined();
    const document = policy?.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
    const statements = document.Statement;
    const text = JSON.stringify(statements);
    expect(text).not.toContain('secretsmanager:');
    const connect = statements.filter((s) => JSON.stringify(s.Action) === '"rds-db:connect"');
    expect(connect).toHaveLength(1);
    // arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/bank_api
    expect(JSON.stringify(connect[0]?.Resource)).toMatch(/:dbuser:".*\/bank_api"/);
  });

  it('publishes the connection facts without a password, encrypted with the data key', () => {
    const secrets = resourcesOfType(env.templates.cluster, 'AWS::SecretsManager::Secret').filter(
      (s) => s.Properties?.Name === 'bank/dev/bank-api/database',
    );
    expect(secrets).toHaveLength(1);
    const value = JSON.stringify(secrets[0]?.Properties?.SecretString);
    for (const key of ['host', 'port', 'dbname', 'username']) expect(value).toContain(`\\"${key}\\"`);
    expect(value).toContain('bank_api');
    expect(value).not.toContain('password');
    expect(secrets[0]?.Properties?.KmsKeyId).toBeDefined();
  });

  it('lets nothing but External Secrets read the master secret', () => {
    const readers = [
      ...resourcesOfType(env.templates.cluster, 'AWS::IAM::ManagedPolicy'),
      ...resourcesOfType(env.templates.cluster, 'AWS::IAM::Policy'),
    ].filter((p) => JSON.stringify(p.Properties?.PolicyDocument).includes('secretsmanager:GetSecretValue'));
    // Blueprints' External Secrets add-on: its policy covers bank/dev/* (the master secret among them).
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]?.Properties?.PolicyDocument)).toContain('bank/dev/*');
  });
});

describe('dev: Aurora', () => {
  it('is encrypted with a customer key, IAM auth on, logs exported, TLS forced', () => {
    env.templates.cluster.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      BackupRetentionPeriod: config.database.backupRetentionDays,
      DeletionProtection: false,
    });
    env.templates.cluster.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
  });

  it('has a writer and a reader with Performance Insights, in the isolated subnets', () => {
    const instances = resourcesOfType(env.templates.cluster, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(1 + config.database.readers);
    for (const i of instances) expect(i.Properties?.EnablePerformanceInsights).toBe(true);
    const zones = instances.map((i) => i.Properties?.AvailabilityZone);
    expect(new Set(zones).size).toBe(instances.length);
    const subnetGroup = resourcesOfType(env.templates.cluster, 'AWS::RDS::DBSubnetGroup')[0];
    expect(JSON.stringify(subnetGroup?.Properties?.SubnetIds)).toContain('databaseSubnet');
  });

  it('rotates its credentials and alarms to the on-call topic', () => {
    env.templates.cluster.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    const alarms = resourcesOfType(env.templates.cluster, 'AWS::CloudWatch::Alarm').map(
      (a) => a.Properties?.MetricName,
    );
    expect(alarms.sort()).toEqual([
      'AuroraReplicaLagMaximum',
      'CPUUtilization',
      'DatabaseConnections',
      'Deadlocks',
      'FreeableMemory',
    ]);
  });

  it('accepts PostgreSQL only from the cluster security group (and its own rotation function)', () => {
    const toAurora = resourcesOfType(env.templates.cluster, 'AWS::EC2::SecurityGroupIngress').filter((r) =>
      JSON.stringify(r.Properties?.GroupId).includes('AuroraSecurityGroup'),
    );
    expect(toAurora).toHaveLength(2);
    for (const rule of toAurora) {
      expect(rule.Properties?.CidrIp).toBeUndefined();
      expect(rule.Properties?.SourceSecurityGroupId).toBeDefined();
    }
    const sources = toAurora.map((r) => JSON.stringify(r.Properties?.SourceSecurityGroupId));
    expect(sources.some((s) => s.includes('ClusterSecurityGroupId'))).toBe(true);
    expect(sources.some((s) => s.includes('AuroraRotationSecurityGroup'))).toBe(true);
  });

  it('lets the rotation function send PostgreSQL to Aurora and HTTPS to the Secrets Manager endpoint, nothing else', () => {
    const groups = Object.entries(
      env.templates.cluster.toJSON().Resources as Record<
        string,
        { Type: string; Properties?: Record<string, unknown> }
      >,
    );
    const [rotationId, rotation] = groups.find(
      ([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('AuroraRotationSecurityGroup'),
    ) ?? ['', undefined];
    // The function runs with exactly this group.
    const [app] = resourcesOfType(env.templates.cluster, 'AWS::Serverless::Application');
    expect(JSON.stringify(app?.Properties?.Parameters)).toContain(
      `"vpcSecurityGroupIds":{"Fn::GetAtt":["${rotationId}","GroupId"]}`,
    );
    const egress = [
      ...((rotation?.Properties?.SecurityGroupEgress as unknown[]) ?? []),
      ...groups
        .filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroupEgress')
        .map(([, r]) => r.Properties)
        .filter((p) => JSON.stringify(p?.GroupId).includes(rotationId)),
    ];
    expect(rotationId).toBe('AuroraRotationSecurityGroupDC755A07');
    const rotationGroup = { 'Fn::GetAtt': ['AuroraRotationSecurityGroupDC755A07', 'GroupId'] };
    // aws-cdk-lib writes the cluster's port as an attribute; the cluster's Port below pins it to 5432.
    const auroraPort = { 'Fn::GetAtt': ['AuroraClusterD4EFE71C', 'Endpoint.Port'] };
    expect(egress).toEqual([
      {
        Description: 'HTTPS to the Secrets Manager interface endpoint',
        DestinationSecurityGroupId: {
          'Fn::ImportValue':
            'bank-dev-network:ExportsOutputFnGetAttEndpointSecurityGroupF840B798GroupIdB674FE46',
        },
        FromPort: 443,
        GroupId: rotationGroup,
        IpProtocol: 'tcp',
        ToPort: 443,
      },
      {
        Description: 'to bankdevclusterAuroraSecurityGroupEDAA93A4:{IndirectPort}',
        DestinationSecurityGroupId: { 'Fn::GetAtt': ['AuroraSecurityGroup3440C66D', 'GroupId'] },
        FromPort: auroraPort,
        GroupId: rotationGroup,
        IpProtocol: 'tcp',
        ToPort: auroraPort,
      },
    ]);
    env.templates.cluster.hasResourceProperties('AWS::RDS::DBCluster', { Port: 5432 });
    expect(JSON.stringify(rotation)).not.toContain('0.0.0.0/0');
  });
});

describe('dev: backups', () => {
  it('backs up Aurora and the backup and audit buckets for 7 days, with no Vault Lock and no copy region', () => {
    const vaults = resourcesOfType(env.templates.cluster, 'AWS::Backup::BackupVault');
    expect(vaults).toHaveLength(1);
    expect(vaults[0]?.Properties?.LockConfiguration).toBeUndefined();
    const rules = backupPlanRules(env.templates.cluster);
    expect(rules.map((r) => [r.ScheduleExpression, r.Lifecycle, r.CopyActions])).toEqual([
      ['cron(30 2 * * ? *)', { DeleteAfterDays: 7 }, undefined],
    ]);
    expect(env.backupCopy).toBeUndefined();
    const selection = JSON.stringify(
      resourcesOfType(env.templates.cluster, 'AWS::Backup::BackupSelection')[0]?.Properties,
    );
    expect(selection).toMatch(
      new RegExp(`:rds:${config.region}:${config.account}:cluster:",\\{"Ref":"AuroraCluster[0-9A-F]{8}"\\}`),
    );
    expect(selection).toContain(`:s3:::bank-dev-audit-${config.account}-${config.region}`);
  });

  it('denies deleting recovery points to everyone and pages on failed backup and copy jobs', () => {
    const [vault] = resourcesOfType(env.templates.cluster, 'AWS::Backup::BackupVault');
    expect(vault?.Properties?.AccessPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
          Resource: '*',
        },
      ],
    });
    expect(vault?.Properties?.Notifications).toEqual({
      BackupVaultEvents: [
        'BACKUP_JOB_FAILED',
        'BACKUP_JOB_EXPIRED',
        'COPY_JOB_FAILED',
        'S3_BACKUP_OBJECT_FAILED',
      ],
      SNSTopicArn: {
        'Fn::ImportValue': expect.stringMatching(/^bank-dev-security:ExportsOutputRefOnCallTopic/),
      },
    });
    // The on-call topic is KMS-encrypted: AWS Backup needs the key and the topic's permission to publish.
    env.templates.security.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'backup.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      }),
    });
    env.templates.security.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          // minimizePolicies merges the services that may publish into one statement.
          Match.objectLike({
            Principal: { Service: Match.arrayWith(['backup.amazonaws.com']) },
            Action: 'sns:Publish',
          }),
        ]),
      }),
    });
  });

  it('gives AWS Backup a role only it can assume, with the Aurora and S3 backup and restore policies', () => {
    const roles = resourcesOfType(env.templates.cluster, 'AWS::IAM::Role').filter((r) =>
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('backup.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    const policies = JSON.stringify(roles[0]?.Properties?.ManagedPolicyArns);
    for (const name of [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup',
      'AWSBackupServiceRolePolicyForS3Restore',
    ]) {
      expect(policies).toContain(`:iam::aws:policy/${name}"`);
    }
  });
});

describe('dev: security, buckets, tags, compliance', () => {
  it('never opens ingress to 0.0.0.0/0', () => {
    for (const template of Object.values(env.templates)) {
      for (const sg of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
        for (const rule of (sg.Properties?.SecurityGroupIngress as { CidrIp?: string }[] | undefined) ?? []) {
          expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        }
      }
      for (const rule of resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')) {
        expect(rule.Properties?.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
  });

  it('makes every bucket private, versioned, encrypted, logged and TLS-only', () => {
    for (const template of [env.templates.security, env.templates.cluster]) {
      for (const bucket of resourcesOfType(template, 'AWS::S3::Bucket')) {
        expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
        expect(bucket.Properties?.BucketEncryption).toBeDefined();
        expect(bucket.Properties?.LifecycleConfiguration).toBeDefined();
      }
      for (const policy of resourcesOfType(template, 'AWS::S3::BucketPolicy')) {
        expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    }
    env.templates.security.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
      LoggingConfiguration: Match.anyValue(),
    });
  });

  it('audits with a multi-region, validated, encrypted trail, GuardDuty on EKS, and a WAF rate limit', () => {
    env.templates.security.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
      CloudWatchLogsLogGroupArn: Match.anyValue(),
    });
    env.templates.security.hasResourceProperties('AWS::GuardDuty::Detector', {
      Features: Match.arrayWith([Match.objectLike({ Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' })]),
    });
    env.templates.security.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: Match.anyValue() } })]),
    });
    env.templates.security.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({ BudgetLimit: { Amount: config.monthlyBudgetUsd, Unit: 'USD' } }),
    });
  });

  it('runs the AWS Config baseline without the private-endpoint rule, which dev fails by design', () => {
    const names = resourcesOfType(env.templates.security, 'AWS::Config::ConfigRule').map(
      (r) => r.Properties?.ConfigRuleName,
    );
    // dev's API endpoint is public for the allow-listed CIDRs: that rule would page for nothing.
    expect(names).not.toContain('bank-dev-baseline-eks-endpoint-no-public-access');
    expect(names).toHaveLength(9);
    env.templates.security.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    env.templates.security.resourceCountIs('AWS::Config::DeliveryChannel', 1);
    const route = resourcesOfType(env.templates.security, 'AWS::Events::Rule').find(
      (r) => (r.Properties?.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.config',
    );
    const pattern = JSON.stringify(route?.Properties?.EventPattern);
    for (const name of names) expect(pattern).toContain(`"${name}"`);
  });

  it('keeps immutable, scanned image repositories and OIDC-only CI roles', () => {
    for (const name of ['bank-api', 'bank-web'])
      env.templates.delivery.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: name,
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
    env.templates.delivery.resourceCountIs('AWS::ECR::Repository', 2);
    // CI pushes to exactly these two repositories, and nowhere else.
    const push = resourcesOfType(env.templates.delivery, 'AWS::IAM::ManagedPolicy').find((p) =>
      JSON.stringify(p.Properties?.ManagedPolicyName).includes('ci-image-push'),
    );
    expect(push, 'the ci-image-push managed policy').toBeDefined();
    const document = push?.Properties?.PolicyDocument as { Statement: { Sid: string; Resource: unknown }[] };
    const statements = document.Statement;
    const repositories = env.templates.delivery.findResources('AWS::ECR::Repository');
    const arnOf = (name: string) => {
      const id = Object.keys(repositories).find((k) => repositories[k]?.Properties?.RepositoryName === name);
      return { 'Fn::GetAtt': [id, 'Arn'] };
    };
    expect(statements.find((st) => st.Sid === 'PushServiceImages')?.Resource).toEqual([
      arnOf('bank-api'),
      arnOf('bank-web'),
    ]);
    const roles = resourcesOfType(env.templates.delivery, 'AWS::IAM::Role');
    expect(roles).toHaveLength(3);
    for (const role of roles)
      expect(JSON.stringify(role.Properties?.AssumeRolePolicyDocument)).toContain(
        'token.actions.githubusercontent.com:sub',
      );
    env.templates.delivery.resourceCountIs('AWS::IAM::User', 0);
  });

  it('lets Alertmanager publish to the on-call topic, and only that', () => {
    const policies = resourcesOfType(env.templates.cluster, 'AWS::IAM::ManagedPolicy').filter(
      (p) => p.Properties?.ManagedPolicyName === 'bank-dev-alertmanager-oncall',
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties?.PolicyDocument as
      | { Statement: { Sid: string; Action: unknown }[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements.map((st) => [st.Sid, st.Action])).toEqual([
      ['PublishToOnCall', 'sns:Publish'],
      ['EncryptOnCallMessages', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ]);
    env.templates.cluster.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'monitoring',
      ServiceAccount: 'kube-prometheus-stack-alertmanager',
    });
  });

  it('lets pull requests run cdk diff through the read-only lookup role and nothing else', () => {
    const [diff] = resourcesOfType(env.templates.delivery, 'AWS::IAM::Role').filter(
      (r) => r.Properties?.RoleName === 'bank-dev-ci-cdk-diff',
    );
    expect(JSON.stringify(diff?.Properties?.AssumeRolePolicyDocument)).toContain(':pull_request');
    const policies = resourcesOfType(env.templates.delivery, 'AWS::IAM::ManagedPolicy').filter(
      (p) => p.Properties?.ManagedPolicyName === 'bank-dev-ci-cdk-diff',
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties?.PolicyDocument as
      | { Statement: { Action: string[]; Resource: unknown }[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(/cdk-hnb659fds-lookup-role-/);
    expect(JSON.stringify(statements[0]?.Resource)).not.toMatch(/deploy-role|publishing-role/);
  });

  it('tags resources with the cost-allocation tags', () => {
    const expected = {
      Environment: 'dev',
      Project: config.tags.project,
      CostCenter: config.tags.costCenter,
      Owner: config.tags.owner,
      DataClassification: config.tags.dataClassification,
    };
    for (const [type, template] of [
      ['AWS::EC2::VPC', env.templates.network],
      ['AWS::RDS::DBCluster', env.templates.cluster],
      ['AWS::S3::Bucket', env.templates.security],
    ] as const) {
      for (const resource of resourcesOfType(template, type)) {
        expect(tagsOf(resource)).toMatchObject(expected);
      }
    }
  });

  it('tags with the keys the ALB carries: one tag schema for the templates and the rendered Ingress', () => {
    const keys = ['CostCenter', 'DataClassification', 'Environment', 'Owner', 'Project', 'Service'];
    const vpc = resourcesOfType(env.templates.network, 'AWS::EC2::VPC')[0];
    if (!vpc) throw new Error('no VPC in the network stack');
    const templateKeys = Object.keys(tagsOf(vpc)).filter((k) => /^[A-Z]/.test(k) && k !== 'Name');
    expect(templateKeys.sort()).toEqual(keys);
    const ingress = parseAllDocuments(
      readFileSync(join(import.meta.dirname, '..', '..', 'manifests', 'dev', 'bank-api.k8s.yaml'), 'utf8'),
    )
      .map((doc) => doc.toJS() as { kind: string; metadata: { annotations?: Record<string, string> } })
      .find((o) => o.kind === 'Ingress');
    const albTags = ingress?.metadata.annotations?.['alb.ingress.kubernetes.io/tags'] ?? '';
    const albKeys = albTags.split(',').map((pair) => pair.split('=')[0]);
    expect(albKeys.sort()).toEqual(keys);
    expect(albTags).toContain(`Environment=${config.name}`);
    // The ALB is bank-api's: its cost counts against that service's budget.
    expect(albTags).toContain('Service=bank-api');
  });

  it('synthesizes offline: no context lookups and no warnings', () => {
    expect(env.missingContext).toEqual([]);
    expect(env.warnings).toEqual([]);
  });

  it('renders byte-identical templates on a second synth', async () => {
    const again = await synthesize(config);
    for (const part of ['security', 'network', 'delivery', 'cluster'] as const) {
      expect(JSON.stringify(again.templates[part].toJSON()), part).toBe(
        JSON.stringify(env.templates[part].toJSON()),
      );
    }
  });

  it('passes AwsSolutions, PCI DSS 3.2.1 and NIST 800-53 rev 5 with no unacknowledged finding', () => {
    expect(env.complianceFindings.map((f) => `${f.rule} ${f.construct}`)).toEqual([]);
  });
});
