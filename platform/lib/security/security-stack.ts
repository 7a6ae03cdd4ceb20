import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../config/kubernetes.js';
import { CONTROL_PLANE_LOG_TYPES } from '../cluster/cluster-stack.js';
import { replicateToStandby } from '../dr/replication.js';
import { addFinOpsReceivers } from '../finops/receivers.js';
import { allowCloudWatchLogs, rotatingKey } from '../shared/kms.js';
import { bucketName, resourceName } from '../shared/naming.js';
import { accessLogsBucket } from './access-logs-bucket.js';
import { AlertingTopic } from './alerting-topic.js';
import { AuditTrail } from './audit-trail.js';
import { ConfigConformance } from './config-conformance.js';
import { CostBudget } from './cost-budget.js';
import { FindingRoutes } from './finding-routes.js';
import { ThreatDetection } from './threat-detection.js';
import { WebAcl } from './web-acl.js';

export interface SecurityStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * Account-level evidence and guard rails: audit trail, threat detection with its findings routed to
 * on-call, WAF, on-call topic, budget.
 */
export class SecurityStack extends Stack {
  readonly accessLogsBucket: s3.Bucket;
  readonly alarmTopic: sns.Topic;
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);
    const { config } = props;

    const auditKey = rotatingKey(this, 'AuditKey', {
      alias: resourceName(config, 'audit'),
      description: `CloudTrail, audit bucket and security log groups of ${config.name}`,
    });
    allowCloudWatchLogs(auditKey);

    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogsBucket', bucketName(config, 'access-logs'));

    const audit = new AuditTrail(this, 'AuditTrail', {
      trailName: resourceName(config, 'trail'),
      bucketName: bucketName(config, 'audit'),
      accessLogsBucketName: this.accessLogsBucket.bucketName,
      key: auditKey,
      objectLockMode: config.retention.auditObjectLockMode,
      objectLockDays: config.retention.auditObjectLockDays,
      dataEventBucketNames: [bucketName(config, 'backups'), bucketName(config, 'assets')],
    });
    audit.node.addDependency(this.accessLogsBucket);
    // Regional disaster recovery (docs/adr/0008): the evidence survives the loss of this region.
    if (config.disasterRecovery) replicateToStandby(audit.bucket, config, 'audit');

    new ThreatDetection(this, 'ThreatDetection');

    const waf = new WebAcl(this, 'ApiWebAcl', {
      name: resourceName(config, 'api'),
      rateLimitPer5Minutes: 2000,
      logKey: auditKey,
    });
    this.webAclArn = waf.webAcl.attrArn;

    const alertKey = rotatingKey(this, 'AlertingKey', {
      alias: resourceName(config, 'alerting'),
      description: `On-call SNS topic of ${config.name}`,
    });
    this.alarmTopic = new AlertingTopic(this, 'OnCall', {
      topicName: resourceName(config, 'oncall'),
      email: config.alertEmail,
      key: alertKey,
    }).topic;

    // AWS Config: the recorder (Security Hub's controls need it too) and the EKS and S3 baseline rules.
    const conformance = new ConfigConformance(this, 'ConfigConformance', {
      namePrefix: resourceName(config, 'baseline'),
      bucketName: bucketName(config, 'config'),
      accessLogsBucketName: this.accessLogsBucket.bucketName,
      key: auditKey,
      eksLogTypes: CONTROL_PLANE_LOG_TYPES,
      oldestKubernetesVersion: SUPPORTED_KUBERNETES_VERSIONS[0],
      publicApiEndpoint: config.apiAllowedCidrs.length > 0,
    });
    conformance.node.addDependency(this.accessLogsBucket);

    // GuardDuty, Security Hub and Inspector findings of high severity, and Config rules turning
    // NON_COMPLIANT, page the same on-call topic.
    new FindingRoutes(this, 'FindingRoutes', {
      topic: this.alarmTopic,
      configRules: {
        ruleNames: conformance.ruleNames,
        exceptions: [
          {
            resourceId: bucketName(config, 'access-logs'),
            ruleNames: ['s3-default-encryption-kms', 's3-bucket-logging-enabled'].map(
              (rule) => `${resourceName(config, 'baseline')}-${rule}`,
            ),
            reason:
              'S3 server access logs can only be delivered to an SSE-S3 bucket, and the log bucket does not log its own access',
          },
        ],
      },
    });

    new CostBudget(this, 'CostBudget', {
      budgetName: resourceName(config, 'monthly'),
      monthlyLimitUsd: config.monthlyBudgetUsd,
      email: config.alertEmail,
      topic: this.alarmTopic,
      environmentTag: config.name,
    });
    // FinOps (docs/platform/cost.md): a budget per service, and the on-call topic and audit
    // bucket opened to Cost Anomaly Detection and the CUR 2.0 export of the bank-<env>-finops stack.
    addFinOpsReceivers(this, { config, topic: this.alarmTopic, auditBucket: audit.bucket, auditKey });

    new CfnOutput(this, 'ApiWebAclArn', {
      value: this.webAclArn,
      description:
        'The regional web ACL; the API Ingress attaches it by name (alb.ingress.kubernetes.io/wafv2-acl-name)',
    });
    new CfnOutput(this, 'AuditBucketName', { value: audit.bucket.bucketName });
  }
}
