import { App, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../config/index.js';
import { capacityPlan, SPOT_TAINT, spotCpuLimit, spotNodePool } from '../cluster/autoscaling.js';
import { CostBudget } from '../security/cost-budget.js';
import { SecureBucket } from '../shared/secure-bucket.js';
import { CostAnomalyDetection } from './anomaly-detection.js';
import { allowCostExportDelivery, CostDataExport, grantAnomalyAlerts } from './cost-export.js';
import { FinOpsStack } from './finops-stack.js';

// The FinOps constructs on their own, in plain stacks: validation and what each one adds.

const env = (region: string) => ({ account: '123456789012', region });
const stackIn = (region: string) => new Stack(new App(), 'Test', { env: env(region) });

type Statement = {
  Sid?: string;
  Principal?: unknown;
  Action?: unknown;
  Condition?: unknown;
  Resource?: unknown;
};
const statements = (template: Template, type: string, key: string): Statement[] =>
  Object.values(template.findResources(type)).flatMap(
    (r) =>
      ((r.Properties as Record<string, { Statement: Statement[] }>)[key]?.Statement ?? []) as Statement[],
  );

describe('CostAnomalyDetection', () => {
  const topicArn = 'arn:aws:sns:eu-central-1:123456789012:bank-test-oncall';

  it('monitors every AWS service and publishes anomalies of at least the threshold to the topic', () => {
    const stack = stackIn('us-east-1');
    new CostAnomalyDetection(stack, 'Anomalies', {
      monitorName: 'bank-test-services',
      topicArn,
      thresholdUsd: 250,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorName: 'bank-test-services',
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    t.hasResourceProperties('AWS::CE::AnomalySubscription', {
      SubscriptionName: 'bank-test-services-alerts',
      Frequency: 'IMMEDIATE',
      Subscribers: [{ Type: 'SNS', Address: topicArn }],
      MonitorArnList: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AnomaliesMonitor'), 'MonitorArn'] }],
    });
    const [subscription] = Object.values(t.findResources('AWS::CE::AnomalySubscription'));
    expect(JSON.parse(subscription?.Properties.ThresholdExpression)).toEqual({
      Dimensions: {
        Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
        MatchOptions: ['GREATER_THAN_OR_EQUAL'],
        Values: ['250'],
      },
    });
  });

  it.each([0, -5, Number.NaN])('refuses a threshold of %s', (thresholdUsd) => {
    expect(
      () => new CostAnomalyDetection(stackIn('us-east-1'), 'A', { monitorName: 'm', topicArn, thresholdUsd }),
    ).toThrow('thresholdUsd must be a positive number');
  });

  it('refuses a topic ARN that is not one', () => {
    expect(
      () =>
        new CostAnomalyDetection(stackIn('us-east-1'), 'A', {
          monitorName: 'm',
          topicArn: 'bank-test-oncall',
          thresholdUsd: 1,
        }),
    ).toThrow("topicArn 'bank-test-oncall' must be an SNS topic ARN");
  });
});

describe('grantAnomalyAlerts', () => {
  it('lets costalerts publish to the encrypted topic, for this account only, and use its key', () => {
    const stack = stackIn('eu-central-1');
    const key = new kms.Key(stack, 'Key');
    grantAnomalyAlerts(new sns.Topic(stack, 'Topic', { masterKey: key }));
    const t = Template.fromStack(stack);
    const publish = statements(t, 'AWS::SNS::TopicPolicy', 'PolicyDocument');
    expect(publish).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'costalerts.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    );
    expect(statements(t, 'AWS::KMS::Key', 'KeyPolicy')).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'costalerts.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    );
  });
});

describe('CostDataExport and allowCostExportDelivery', () => {
  it('exports CUR 2.0 hourly with resources and split cost allocation, Parquet, into the bucket prefix', () => {
    const stack = stackIn('us-east-1');
    new CostDataExport(stack, 'Export', {
      exportName: 'bank-test-cur2',
      bucketName: 'audit',
      bucketRegion: 'eu-central-1',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::BCMDataExports::Export', {
      Export: Match.objectLike({
        Name: 'bank-test-cur2',
        DataQuery: {
          QueryStatement: Match.stringLikeRegexp(
            '^SELECT identity_line_item_id, .*split_line_item_split_cost.* FROM COST_AND_USAGE_REPORT$',
          ),
          TableConfigurations: {
            COST_AND_USAGE_REPORT: {
              TIME_GRANULARITY: 'HOURLY',
              INCLUDE_RESOURCES: 'TRUE',
              INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'TRUE',
              INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
            },
          },
        },
        DestinationConfigurations: {
          S3Destination: {
            S3Bucket: 'audit',
            S3Prefix: 'cost-and-usage',
            S3Region: 'eu-central-1',
            S3OutputConfigurations: {
              OutputType: 'CUSTOM',
              Format: 'PARQUET',
              Compression: 'PARQUET',
              Overwrite: 'OVERWRITE_REPORT',
            },
          },
        },
        RefreshCadence: { Frequency: 'SYNCHRONOUS' },
      }),
    });
  });

  it('tells cfn-lint why the type is missing from the other regions', () => {
    const stack = stackIn('us-east-1');
    new CostDataExport(stack, 'Export', { exportName: 'e', bucketName: 'b', bucketRegion: 'eu-central-1' });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::BCMDataExports::Export'));
    expect(resource?.Metadata).toMatchObject({
      'cfn-lint': { config: { ignore_checks: ['E3006'] } },
      'cfn-lint-reason': expect.stringContaining('us-east-1 only'),
    });
  });

  it('must be deployed in us-east-1 and takes a clean prefix', () => {
    const props = { exportName: 'e', bucketName: 'b', bucketRegion: 'eu-central-1' };
    expect(() => new CostDataExport(stackIn('eu-central-1'), 'E', props)).toThrow(
      'must be deployed in us-east-1, not eu-central-1',
    );
    expect(() => new CostDataExport(stackIn('us-east-1'), 'E', { ...props, prefix: '/cur/' })).toThrow(
      "prefix '/cur/' must be a key prefix without leading or trailing '/'",
    );
  });

  it('admits only Data Exports and CUR of this account to the prefix, and to the key', () => {
    const stack = stackIn('eu-central-1');
    const key = new kms.Key(stack, 'Key');
    const bucket = new SecureBucket(stack, 'Audit', { bucketName: 'audit', encryptionKey: key });
    allowCostExportDelivery(bucket, { key });
    const t = Template.fromStack(stack);
    const principal = { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] };
    const condition = {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      StringLike: {
        'aws:SourceArn': [
          {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cur:us-east-1:123456789012:definition/*']],
          },
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':bcm-data-exports:us-east-1:123456789012:export/*'],
            ],
          },
        ],
      },
    };
    const policy = statements(t, 'AWS::S3::BucketPolicy', 'PolicyDocument');
    const write = policy.find((s) => s.Sid === 'AllowCostExportWrite');
    expect(write).toMatchObject({ Principal: principal, Action: 's3:PutObject', Condition: condition });
    expect(JSON.stringify(write?.Resource)).toContain('/cost-and-usage/*');
    expect(policy.find((s) => s.Sid === 'AllowCostExportPolicyCheck')).toMatchObject({
      Principal: principal,
      Action: 's3:GetBucketPolicy',
      Condition: condition,
    });
    const keyStatements = statements(t, 'AWS::KMS::Key', 'KeyPolicy').filter((s) =>
      JSON.stringify(s.Principal).includes('billingreports'),
    );
    expect(keyStatements).toEqual([
      expect.objectContaining({ Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Condition: condition }),
    ]);
  });
});

describe('CostBudget per service', () => {
  const topic = (stack: Stack) => new sns.Topic(stack, 'Topic');

  it('filters on the Environment and Service tags together', () => {
    const stack = stackIn('eu-central-1');
    new CostBudget(stack, 'B', {
      budgetName: 'bank-test-service-data',
      monthlyLimitUsd: 300,
      email: 'a@example.com',
      topic: topic(stack),
      environmentTag: 'test',
      serviceTag: 'data',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({
        BudgetLimit: { Amount: 300, Unit: 'USD' },
        CostFilters: Match.absent(),
        FilterExpression: {
          And: [
            { Tags: { Key: 'Environment', Values: ['test'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'Service', Values: ['data'], MatchOptions: ['EQUALS'] } },
          ],
        },
      }),
    });
  });

  it('refuses a limit that is not positive and a tag value with capitals', () => {
    const stack = stackIn('eu-central-1');
    const base = { budgetName: 'b', email: 'a@example.com', topic: topic(stack), environmentTag: 'test' };
    expect(() => new CostBudget(stack, 'B1', { ...base, monthlyLimitUsd: 0 })).toThrow(
      'monthlyLimitUsd must be positive',
    );
    expect(() => new CostBudget(stack, 'B2', { ...base, monthlyLimitUsd: 1, serviceTag: 'Data' })).toThrow(
      "serviceTag 'Data' must be a lower-case tag value",
    );
  });
});

describe('FinOpsStack', () => {
  it('puts both billing resources in us-east-1 and names the home-region receivers', () => {
    const config = loadEnvironment('prod');
    const stack = new FinOpsStack(new App(), 'bank-prod-finops', { config });
    expect(stack.region).toBe('us-east-1');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CE::AnomalySubscription', {
      Subscribers: [
        {
          Type: 'SNS',
          Address: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, `:sns:${config.region}:${config.account}:bank-prod-oncall`],
            ],
          },
        },
      ],
      ThresholdExpression: Match.stringLikeRegexp('"Values":\\["300"\\]'),
    });
    t.hasResourceProperties('AWS::BCMDataExports::Export', {
      Export: Match.objectLike({
        DestinationConfigurations: {
          S3Destination: Match.objectLike({
            S3Bucket: `bank-prod-audit-${config.account}-${config.region}`,
            S3Region: config.region,
          }),
        },
      }),
    });
  });
});

describe('spot share', () => {
  const prod = loadEnvironment('prod');
  const dev = loadEnvironment('dev');

  it('gives prod an on-demand default pool and a tainted spot pool capped at the share', () => {
    // prod: maxCapacity 30 -> 120 vCPU; 30 % -> 36 vCPU on spot, 84 on-demand.
    expect(spotCpuLimit(prod)).toBe(36);
    const pool = spotNodePool(prod) as { spec: unknown };
    const spec = pool.spec as {
      template: { spec: { taints: unknown[]; requirements: { key: string; values: string[] }[] } };
      limits: { cpu: number };
      weight: number;
    };
    expect(spec.template.spec.taints).toEqual([SPOT_TAINT]);
    expect(
      spec.template.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type')?.values,
    ).toEqual(['spot']);
    expect(spec.limits.cpu).toBe(36);
    expect(spec.weight).toBe(20);
    const addOns = capacityPlan(prod).addOns.map((a) => (a as { id?: string }).id ?? a.constructor.name);
    expect(addOns).toEqual(['KarpenterV1AddOn', 'SpotNodePoolAddOn']);
  });

  it('keeps dev on one mixed pool without a spot pool', () => {
    expect(spotCpuLimit(dev)).toBe(0);
    expect(() => spotNodePool(dev)).toThrow('dev has no spot pool');
    expect(capacityPlan(dev).addOns).toHaveLength(1);
  });
});

describe('Service tag precedence', () => {
  it('lets a deeper Service tag win over the stack-wide one', () => {
    const stack = stackIn('eu-central-1');
    const key = new kms.Key(stack, 'Key');
    Tags.of(stack).add('Service', 'platform');
    Tags.of(key).add('Service', 'data');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      Tags: [{ Key: 'Service', Value: 'data' }],
    });
  });
});
