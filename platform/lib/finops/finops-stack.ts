import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { bucketName, resourceName } from '../shared/naming.js';
import { CostAnomalyDetection } from './anomaly-detection.js';
import { BILLING_REGION, CostDataExport } from './cost-export.js';

export interface FinOpsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * `bank-<env>-finops`, in us-east-1 where the Billing and Cost Management APIs live: Cost Anomaly
 * Detection paging the on-call topic, and the CUR 2.0 export into the audit bucket. Both receivers are
 * in the environment's home region (security stack) and are named, not referenced: CloudFormation has
 * no cross-region references. The security stack gives them the access (`grantAnomalyAlerts`,
 * `allowCostExportDelivery`), so this stack deploys after it.
 */
export class FinOpsStack extends Stack {
  readonly anomalyDetection: CostAnomalyDetection;
  readonly costExport: CostDataExport | undefined;

  constructor(scope: Construct, id: string, props: FinOpsStackProps) {
    super(scope, id, { ...props, env: { account: props.config.account, region: BILLING_REGION } });
    const { config } = props;
    this.anomalyDetection = new CostAnomalyDetection(this, 'AnomalyDetection', {
      monitorName: resourceName(config, 'services'),
      topicArn: this.formatArn({
        service: 'sns',
        region: config.region,
        resource: resourceName(config, 'oncall'),
      }),
      thresholdUsd: config.finops.anomalyThresholdUsd,
    });
    this.costExport = config.finops.costExport
      ? new CostDataExport(this, 'CostExport', {
          exportName: resourceName(config, 'cur2'),
          bucketName: bucketName(config, 'audit'),
          bucketRegion: config.region,
        })
      : undefined;
  }
}
