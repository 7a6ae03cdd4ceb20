import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { CostBudget } from '../security/cost-budget.js';
import { resourceName } from '../shared/naming.js';
import { allowCostExportDelivery, grantAnomalyAlerts } from './cost-export.js';

export interface FinOpsReceiversProps {
  readonly config: EnvironmentConfig;
  /** The on-call topic: budgets and Cost Anomaly Detection publish to it. */
  readonly topic: sns.ITopic;
  /** The audit bucket the CUR 2.0 export is delivered to (when `config.finops.costExport`). */
  readonly auditBucket: s3.IBucket;
  /** The audit bucket's key. */
  readonly auditKey: kms.IKey;
}

/**
 * The home-region side of FinOps, in the security stack: one budget per `config.finops.serviceBudgets`
 * entry (Environment AND Service tag), the on-call topic opened to Cost Anomaly Detection, and the audit
 * bucket opened to the CUR 2.0 export.
 */
export function addFinOpsReceivers(scope: Construct, props: FinOpsReceiversProps): Construct {
  const { config } = props;
  const finops = new Construct(scope, 'FinOps');
  for (const { service, monthlyLimitUsd } of config.finops.serviceBudgets) {
    new CostBudget(finops, `Budget-${service}`, {
      budgetName: resourceName(config, `service-${service}`),
      monthlyLimitUsd,
      email: config.alertEmail,
      topic: props.topic,
      environmentTag: config.name,
      serviceTag: service,
    });
  }
  grantAnomalyAlerts(props.topic);
  if (config.finops.costExport) allowCostExportDelivery(props.auditBucket, { key: props.auditKey });
  return finops;
}
