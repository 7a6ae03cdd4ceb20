import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What an X-Ray writer and sampling-rule reader needs: the actions of the AWS-managed
 * AWSXrayWriteOnlyAccess policy. None of them supports resource-level permissions, so they are
 * granted on `*`.
 */
export const XRAY_WRITE_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
] as const;

/**
 * Lets `grantee` send trace segments to X-Ray and read the sampling rules and targets (what the
 * OpenTelemetry collector's awsxray exporter and awsproxy extension call). The statement lands where
 * the grantee keeps its policies: a Pod Identity's customer-managed policy.
 */
export function grantXrayWrite(grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...XRAY_WRITE_ACTIONS],
    resourceArns: ['*'],
  });
}
