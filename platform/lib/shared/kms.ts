import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface RotatingKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
}

/** A customer-managed symmetric key with yearly rotation that survives stack deletion. */
export function rotatingKey(scope: Construct, id: string, props: RotatingKeyProps): kms.Key {
  return new kms.Key(scope, id, {
    alias: `alias/${props.alias}`,
    description: props.description,
    enableKeyRotation: true,
    // Encrypted data outlives a stack; losing the key would make backups and logs unreadable.
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Lets CloudWatch Logs use the key for log groups of this account and region only. */
export function allowCloudWatchLogs(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
}
