import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AuroraAlarmsProps {
  readonly cluster: rds.DatabaseCluster;
  readonly clusterIdentifier: string;
  readonly topic: sns.ITopic;
  /** Bytes of freeable memory below which the writer is under memory pressure. */
  readonly freeableMemoryBytes: number;
  readonly maxConnections: number;
}

/** The database signals an on-call engineer acts on; request errors/latency are alerted in Prometheus. */
export class AuroraAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AuroraAlarmsProps) {
    super(scope, id);
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBClusterIdentifier: props.clusterIdentifier },
        statistic,
        period: Duration.minutes(1),
      });

    const definitions: [string, cloudwatch.Metric, number, cloudwatch.ComparisonOperator, string][] = [
      [
        'CpuHigh',
        metric('CPUUtilization', 'Maximum'),
        80,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'CPU above 80 %',
      ],
      [
        'FreeableMemoryLow',
        metric('FreeableMemory', 'Minimum'),
        props.freeableMemoryBytes,
        cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        'Freeable memory low',
      ],
      [
        'ReplicaLagHigh',
        metric('AuroraReplicaLagMaximum', 'Maximum'),
        1000,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Reader lag above 1 s',
      ],
      [
        'ConnectionsHigh',
        metric('DatabaseConnections', 'Maximum'),
        props.maxConnections,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Connections near the limit',
      ],
      [
        'Deadlocks',
        metric('Deadlocks', 'Sum'),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        'Deadlocks detected',
      ],
    ];
    for (const [alarmId, m, threshold, comparisonOperator, description] of definitions) {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${props.clusterIdentifier}-${alarmId}`,
        alarmDescription: `${props.clusterIdentifier}: ${description}`,
        metric: m,
        threshold,
        comparisonOperator,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      alarm.addOkAction(new actions.SnsAction(props.topic));
      this.alarms.push(alarm);
    }
  }
}
