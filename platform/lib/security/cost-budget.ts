import * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  readonly budgetName: string;
  /** Monthly limit in USD; must be positive. */
  readonly monthlyLimitUsd: number;
  readonly email: string;
  readonly topic: sns.ITopic;
  /** Only costs carrying this Environment tag count against the budget. */
  readonly environmentTag: string;
  /**
   * Only costs carrying this `Service` cost allocation tag as well (platform/lib/finops/service-tags.ts).
   * The two tags are combined with AND in the budget's filter expression.
   * @default the whole environment
   */
  readonly serviceTag?: string;
}

/** Monthly cost budget for one environment (or one service in it): alerts at 80 % actual and 100 % forecast spend. */
export class CostBudget extends Construct {
  readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    if (!(props.monthlyLimitUsd > 0)) {
      throw new Error(
        `CostBudget ${props.budgetName}: monthlyLimitUsd must be positive, got ${props.monthlyLimitUsd}`,
      );
    }
    if (props.serviceTag !== undefined && !/^[a-z][a-z0-9-]*$/.test(props.serviceTag)) {
      throw new Error(
        `CostBudget ${props.budgetName}: serviceTag '${props.serviceTag}' must be a lower-case tag value`,
      );
    }
    const subscribers = [
      { subscriptionType: 'EMAIL', address: props.email },
      { subscriptionType: 'SNS', address: props.topic.topicArn },
    ];
    const tag = (key: string, value: string): budgets.CfnBudget.ExpressionProperty => ({
      tags: { key, values: [value], matchOptions: ['EQUALS'] },
    });
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        // The environment budget keeps its legacy filter (unchanged resource); a service budget needs
        // two tags at once, which only a filter expression can say.
        ...(props.serviceTag === undefined
          ? { costFilters: { TagKeyValue: [`user:Environment$${props.environmentTag}`] } }
          : {
              filterExpression: {
                and: [tag('Environment', props.environmentTag), tag('Service', props.serviceTag)],
              },
            }),
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
