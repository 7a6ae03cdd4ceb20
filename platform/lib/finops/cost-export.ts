import { Stack } from 'aws-cdk-lib';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BILLING_REGION } from '../../config/regions.js';

// Data Exports and the legacy CUR service run in BILLING_REGION only: their API and their ARNs.
export { BILLING_REGION };

/** The key prefix of the cost and usage data in the audit bucket. */
export const COST_EXPORT_PREFIX = 'cost-and-usage';

/**
 * The CUR 2.0 columns exported: enough to answer "what did which service, resource and tag cost, and
 * how much of a node did each pod use" (split cost allocation data), without the full 100+ columns.
 */
export const COST_EXPORT_COLUMNS = [
  'identity_line_item_id',
  'identity_time_interval',
  'bill_billing_period_start_date',
  'line_item_usage_start_date',
  'line_item_usage_end_date',
  'line_item_line_item_type',
  'line_item_product_code',
  'line_item_usage_type',
  'line_item_operation',
  'line_item_resource_id',
  'line_item_usage_amount',
  'line_item_unblended_cost',
  'pricing_term',
  'product_region_code',
  'product_instance_type',
  'resource_tags',
  'split_line_item_parent_resource_id',
  'split_line_item_split_cost',
  'split_line_item_unused_cost',
] as const;

export interface CostDataExportProps {
  /** Name of the export (unique in the account). */
  readonly exportName: string;
  /** The destination bucket's name (imported by name: it lives in another region's stack). */
  readonly bucketName: string;
  /** The destination bucket's region. */
  readonly bucketRegion: string;
  /**
   * Key prefix of the export in the bucket, without slashes at either end.
   * @default COST_EXPORT_PREFIX ('cost-and-usage')
   */
  readonly prefix?: string;
}

/**
 * The Cost and Usage Report 2.0 as an AWS Data Exports definition: hourly line items with resource ids
 * and EKS split cost allocation data, Parquet, refreshed as the bill changes (daily), overwriting the
 * month's files (the audit bucket's versioning and Object Lock keep every earlier delivery).
 * Deploy it in us-east-1 (`BILLING_REGION`); the bucket admits the service with `allowCostExportDelivery`.
 */
export class CostDataExport extends Construct {
  readonly export: bcm.CfnExport;

  constructor(scope: Construct, id: string, props: CostDataExportProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (region !== BILLING_REGION) {
      throw new Error(
        `CostDataExport ${props.exportName}: must be deployed in ${BILLING_REGION}, not ${region}`,
      );
    }
    const prefix = props.prefix ?? COST_EXPORT_PREFIX;
    if (!/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/.test(prefix)) {
      throw new Error(
        `CostDataExport ${props.exportName}: prefix '${prefix}' must be a key prefix without leading or trailing '/'`,
      );
    }
    this.export = new bcm.CfnExport(this, 'Export', {
      export: {
        name: props.exportName,
        description:
          'CUR 2.0: hourly line items with resource ids and EKS split cost allocation (docs/platform/cost.md)',
        dataQuery: {
          queryStatement: `SELECT ${COST_EXPORT_COLUMNS.join(', ')} FROM COST_AND_USAGE_REPORT`,
          tableConfigurations: {
            COST_AND_USAGE_REPORT: {
              TIME_GRANULARITY: 'HOURLY',
              INCLUDE_RESOURCES: 'TRUE',
              INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'TRUE',
              INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
            },
          },
        },
        destinationConfigurations: {
          s3Destination: {
            s3Bucket: props.bucketName,
            s3Prefix: prefix,
            s3Region: props.bucketRegion,
            s3OutputConfigurations: {
              outputType: 'CUSTOM',
              format: 'PARQUET',
              compression: 'PARQUET',
              overwrite: 'OVERWRITE_REPORT',
            },
          },
        },
        refreshCadence: { frequency: 'SYNCHRONOUS' },
      },
    });
    // `npm run verify` lints every template for every region of the app; this type exists in
    // us-east-1 only (E3006 elsewhere), which is the one region this construct accepts.
    this.export.addMetadata('cfn-lint', { config: { ignore_checks: ['E3006'] } });
    this.export.addMetadata(
      'cfn-lint-reason',
      'AWS::BCMDataExports::Export exists in us-east-1 only; CostDataExport refuses any other region',
    );
  }
}

/**
 * Lets Data Exports (and the legacy CUR service, which the AWS documentation lists beside it) deliver
 * into `prefix` of `bucket` for this account only, as the Data Exports guide's bucket policy says:
 * s3:PutObject under the prefix and s3:GetBucketPolicy, each limited by aws:SourceAccount and by
 * aws:SourceArn to this account's exports and report definitions. With a KMS key, the same services
 * may generate data keys under the same conditions.
 */
export function allowCostExportDelivery(
  bucket: s3.IBucket,
  options: { readonly key?: kms.IKey; readonly prefix?: string },
): void {
  const stack = Stack.of(bucket);
  const prefix = options.prefix ?? COST_EXPORT_PREFIX;
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    StringLike: {
      'aws:SourceArn': [
        `arn:${stack.partition}:cur:${BILLING_REGION}:${stack.account}:definition/*`,
        `arn:${stack.partition}:bcm-data-exports:${BILLING_REGION}:${stack.account}:export/*`,
      ],
    },
  };
  const principals = ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'].map((service) =>
    new iam.ServicePrincipal(service).withConditions(conditions),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCostExportWrite',
      principals,
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix}/*`)],
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCostExportPolicyCheck',
      principals,
      actions: ['s3:GetBucketPolicy'],
      resources: [bucket.bucketArn],
    }),
  );
  for (const principal of principals) options.key?.grant(principal, 'kms:GenerateDataKey*', 'kms:Decrypt');
}

/** Lets Cost Anomaly Detection publish to `topic` (and use its key) on behalf of this account only. */
export function grantAnomalyAlerts(topic: sns.ITopic): void {
  const account = Stack.of(topic).account;
  topic.grantPublish(
    new iam.ServicePrincipal('costalerts.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': account },
    }),
  );
}
