import { Token } from 'aws-cdk-lib';
import * as ce from 'aws-cdk-lib/aws-ce';
import { Construct } from 'constructs';

export interface CostAnomalyDetectionProps {
  /** Name of the monitor; the subscription is named `<monitorName>-alerts`. */
  readonly monitorName: string;
  /**
   * ARN of the SNS topic the anomalies are published to (the on-call topic). It may live in another
   * region than this construct: Cost Explorer resources are global (their API is in us-east-1), the
   * topic stays with the rest of the environment. The topic must admit `costalerts.amazonaws.com`
   * (`grantAnomalyAlerts`).
   */
  readonly topicArn: string;
  /** Alert when an anomaly's total impact (USD over its duration) reaches this value; must be positive. */
  readonly thresholdUsd: number;
}

/**
 * AWS Cost Anomaly Detection for one environment's account: an AWS managed (DIMENSIONAL) monitor over
 * the SERVICE dimension, and a subscription that publishes every anomaly of at least `thresholdUsd`
 * total impact to the on-call topic as it is detected (SNS subscriptions must be IMMEDIATE).
 *
 * Why a service monitor and not a CUSTOM one on the Environment tag: each environment has its own
 * account, so the account is already the environment; the service monitor evaluates every service
 * separately (a NAT data-processing spike shows even when the total looks normal) and sees untagged
 * spend too, which a tag monitor cannot. An account holds at most one such monitor: remove the
 * default one AWS may have created before the first deploy (docs/platform/cost.md).
 */
export class CostAnomalyDetection extends Construct {
  readonly monitor: ce.CfnAnomalyMonitor;
  readonly subscription: ce.CfnAnomalySubscription;

  constructor(scope: Construct, id: string, props: CostAnomalyDetectionProps) {
    super(scope, id);
    if (!(props.thresholdUsd > 0) || !Number.isFinite(props.thresholdUsd)) {
      throw new Error(`CostAnomalyDetection ${props.monitorName}: thresholdUsd must be a positive number`);
    }
    if (
      !Token.isUnresolved(props.topicArn) &&
      !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(props.topicArn)
    ) {
      throw new Error(
        `CostAnomalyDetection ${props.monitorName}: topicArn '${props.topicArn}' must be an SNS topic ARN`,
      );
    }
    this.monitor = new ce.CfnAnomalyMonitor(this, 'Monitor', {
      monitorName: props.monitorName,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    this.subscription = new ce.CfnAnomalySubscription(this, 'Subscription', {
      subscriptionName: `${props.monitorName}-alerts`,
      monitorArnList: [this.monitor.attrMonitorArn],
      frequency: 'IMMEDIATE',
      subscribers: [{ type: 'SNS', address: props.topicArn }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(props.thresholdUsd)],
        },
      }),
    });
  }
}
