import * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  readonly budgetName: string;
  readonly monthlyLimitUsd: number;
  readonly email: string;
  readonly topic: sns.ITopic;
  /** Only costs carrying this Environment tag count against the budget. */
  readonly environmentTag: string;
}

/** Monthly cost budget for one environment: alerts at 80 % actual and 100 % forecast spend. */
export class CostBudget extends Construct {
  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const subscribers = [
      { subscriptionType: 'EMAIL', address: props.email },
      { subscriptionType: 'SNS', address: props.topic.topicArn },
    ];
    new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        costFilters: { TagKeyValue: [`user:Environment$${props.environmentTag}`] },
      },
      notificationsWithSubscribers: [
        {
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold: 80,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: 100,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
      ],
    });
  }
}
