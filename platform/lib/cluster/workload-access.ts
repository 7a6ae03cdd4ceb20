import type { Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EnvironmentConfig } from '../../config/index.js';
import { ADD_ON_IDENTITIES, BANK_API } from '../../config/workloads.js';
import type { AuroraDatabase } from '../data/aurora-database.js';
import { grantXrayWrite } from '../observability/xray-grants.js';
import { databaseConnectionSecretName, resourceName } from '../shared/naming.js';
import type { SecureBucket } from '../shared/secure-bucket.js';
import { PodIdentity } from './pod-identity.js';

export interface WorkloadAccessProps {
  readonly cluster: eks.ICluster;
  readonly aurora: AuroraDatabase;
  readonly assets: SecureBucket;
  readonly alarmTopic: sns.ITopic;
}

/**
 * One identity per workload of the contract (platform/config/workloads.ts), each an EKS Pod Identity
 * role whose access is granted by the resource it uses. Created directly in the stack so the
 * construct paths (and role logical ids) stay stable.
 */
export function grantWorkloadAccess(stack: Stack, env: EnvironmentConfig, props: WorkloadAccessProps): void {
  const { cluster, aurora, assets, alarmTopic } = props;
  // Bank API: IAM database auth as its own role, and its prefix of the assets bucket. It reads no
  // secret itself: External Secrets copies the connection facts (no password) into the namespace.
  const bankApi = new PodIdentity(stack, 'BankApiIdentity', {
    cluster,
    workload: BANK_API,
    roleName: resourceName(env, 'bank-api'),
    description: 'bank-api pods: IAM database auth as bank_api, own S3 prefix',
  });
  aurora.grantConnect(bankApi, BANK_API.database.role);
  assets.grantPrefixReadWrite(bankApi, BANK_API.bucketPrefix);
  aurora.addConnectionSecret('BankApiDatabaseConnection', {
    secretName: databaseConnectionSecretName(env, BANK_API.name),
    role: BANK_API.database.role,
  });

  // Grafana's CloudWatch data source: read-only metrics for the Aurora dashboards and alarms.
  const grafana = new PodIdentity(stack, 'GrafanaCloudWatchIdentity', {
    cluster,
    workload: ADD_ON_IDENTITIES.grafana,
    roleName: resourceName(env, 'grafana-cloudwatch'),
    description: 'Grafana CloudWatch data source: read metrics and alarms',
  });
  grafana.policy.addStatements(
    new iam.PolicyStatement({
      sid: 'ReadCloudWatchMetrics',
      actions: [
        'cloudwatch:DescribeAlarmsForMetric',
        'cloudwatch:DescribeAlarmHistory',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:ListMetrics',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetInsightRuleReport',
        'ec2:DescribeRegions',
        'tag:GetResources',
      ],
      resources: ['*'],
    }),
  );

  // The trace collector: writes segments to X-Ray and reads the sampling rules it proxies to bank-api
  // (the actions of AWSXrayWriteOnlyAccess, in the identity's own customer-managed policy).
  const collector = new PodIdentity(stack, 'TraceCollectorIdentity', {
    cluster,
    workload: ADD_ON_IDENTITIES.traceCollector,
    roleName: resourceName(env, 'trace-collector'),
    description: 'OpenTelemetry collector: export traces to X-Ray, read X-Ray sampling rules',
  });
  grantXrayWrite(collector);

  // Alertmanager pages on-call through the same encrypted topic the CloudWatch alarms use.
  const alertmanager = new PodIdentity(stack, 'AlertmanagerIdentity', {
    cluster,
    workload: ADD_ON_IDENTITIES.alertmanager,
    roleName: resourceName(env, 'alertmanager-oncall'),
    description: 'Alertmanager: publish alerts to the on-call SNS topic',
  });
  const topicKey = alarmTopic.masterKey;
  alertmanager.policy.addStatements(
    new iam.PolicyStatement({
      sid: 'PublishToOnCall',
      actions: ['sns:Publish'],
      resources: [alarmTopic.topicArn],
    }),
    ...(topicKey
      ? [
          new iam.PolicyStatement({
            sid: 'EncryptOnCallMessages',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [topicKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `sns.${env.region}.amazonaws.com` } },
          }),
        ]
      : []),
  );
}
