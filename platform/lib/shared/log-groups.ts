import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface EncryptedLogGroupProps {
  readonly logGroupName?: string;
  readonly encryptionKey: kms.IKey;
  /** Audit evidence (flow logs, trails, database and WAF logs) is kept at least a year. */
  readonly retention?: logs.RetentionDays;
}

export function encryptedLogGroup(
  scope: Construct,
  id: string,
  props: EncryptedLogGroupProps,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    encryptionKey: props.encryptionKey,
    retention: props.retention ?? logs.RetentionDays.THIRTEEN_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
