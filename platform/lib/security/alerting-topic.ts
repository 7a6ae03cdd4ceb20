import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertingTopicProps {
  readonly topicName: string;
  readonly email: string;
  readonly key: kms.Key;
}

/** The on-call channel: an encrypted, TLS-only SNS topic that CloudWatch alarms, Budgets and AWS Backup publish to. */
export class AlertingTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertingTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    // Alarms, budget and backup-job notifications are published by the services themselves; they need the key.
    for (const service of ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'backup.amazonaws.com']) {
      props.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow${service.split('.')[0]}Publish`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsPublish',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
  }
}
