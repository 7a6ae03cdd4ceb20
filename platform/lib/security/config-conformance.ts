import { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SecureBucket } from '../shared/secure-bucket.js';

/** Where Config writes configuration history and snapshots inside its bucket. */
export const CONFIG_DELIVERY_PREFIX = 'config';

/**
 * The AWS managed rules this module deploys, by the short name each gets after the environment's
 * prefix (`<prefix>-<name>`). Identifiers are AWS Config's managed rule identifiers.
 */
export const CONFORMANCE_RULES = {
  'eks-endpoint-no-public-access': config.ManagedRuleIdentifiers.EKS_ENDPOINT_NO_PUBLIC_ACCESS,
  'eks-secrets-encrypted': config.ManagedRuleIdentifiers.EKS_SECRETS_ENCRYPTED,
  // Not among aws-cdk-lib's constants; the identifier is AWS Config's own.
  'eks-cluster-logging-enabled': 'EKS_CLUSTER_LOGGING_ENABLED',
  'eks-cluster-supported-version': config.ManagedRuleIdentifiers.EKS_CLUSTER_SUPPORTED_VERSION,
  's3-bucket-public-read-prohibited': config.ManagedRuleIdentifiers.S3_BUCKET_PUBLIC_READ_PROHIBITED,
  's3-bucket-public-write-prohibited': config.ManagedRuleIdentifiers.S3_BUCKET_PUBLIC_WRITE_PROHIBITED,
  's3-bucket-ssl-requests-only': config.ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY,
  's3-bucket-versioning-enabled': config.ManagedRuleIdentifiers.S3_BUCKET_VERSIONING_ENABLED,
  's3-default-encryption-kms': config.ManagedRuleIdentifiers.S3_DEFAULT_ENCRYPTION_KMS,
  's3-bucket-logging-enabled': config.ManagedRuleIdentifiers.S3_BUCKET_LOGGING_ENABLED,
} as const;

export type ConformanceRule = keyof typeof CONFORMANCE_RULES;

export interface ConfigConformanceProps {
  /** Prefix of every rule name, e.g. `bank-prod`. */
  readonly namePrefix: string;
  readonly bucketName: string;
  readonly accessLogsBucketName: string;
  /** Encrypts the delivery bucket and what Config writes into it. */
  readonly key: kms.Key;
  /** The control-plane log types the cluster enables; a cluster missing any is NON_COMPLIANT. */
  readonly eksLogTypes: readonly string[];
  /** Oldest Kubernetes minor the platform supports; older clusters are NON_COMPLIANT. */
  readonly oldestKubernetesVersion: string;
  /**
   * Whether the environment's Kubernetes API endpoint is public by design (non-production with
   * allow-listed client CIDRs). Then EKS_ENDPOINT_NO_PUBLIC_ACCESS is not deployed: a rule that is
   * non-compliant on purpose pages on-call for nothing.
   */
  readonly publicApiEndpoint: boolean;
}

/**
 * AWS Config for this account and region: the configuration recorder (all supported resource types,
 * global ones included) with its delivery channel into a dedicated secure bucket, and the managed
 * rules that check the EKS cluster and every S3 bucket against the platform's baseline. Security Hub's
 * controls need the recorder too. What a rule finds NON_COMPLIANT is routed to on-call by
 * FindingRoutes (finding-routes.ts).
 */
export class ConfigConformance extends Construct {
  readonly bucket: s3.Bucket;
  readonly recorder: config.CfnConfigurationRecorder;
  readonly deliveryChannel: config.CfnDeliveryChannel;
  /** Deployed rules by short name. */
  readonly rules: Partial<Record<ConformanceRule, config.ManagedRule>>;
  /** Physical names of the deployed rules, in declaration order (what the on-call route matches). */
  readonly ruleNames: readonly string[];

  constructor(scope: Construct, id: string, props: ConfigConformanceProps) {
    super(scope, id);
    if (!/^\d+\.\d+$/.test(props.oldestKubernetesVersion)) {
      throw new Error(
        `ConfigConformance: oldestKubernetesVersion must be a minor version such as 1.33, got '${props.oldestKubernetesVersion}'`,
      );
    }
    const stack = Stack.of(this);
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    const configService = new iam.ServicePrincipal('config.amazonaws.com');

    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryptionKey: props.key,
      accessLogsBucketName: props.accessLogsBucketName,
    });
    // What the AWS Config service (through its service-linked role) needs to deliver, from this
    // account only: check the bucket, then write under the delivery prefix.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketCheck',
        principals: [configService],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: sourceAccount,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketDelivery',
        principals: [configService],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${CONFIG_DELIVERY_PREFIX}/AWSLogs/${stack.account}/Config/*`)],
        conditions: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': stack.account },
        },
      }),
    );
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigDelivery',
        principals: [configService],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sourceAccount,
      }),
    );

    // The service-linked role carries AWS's own, minimal recording permissions; no role of ours to
    // keep in step with the resource types Config learns to record.
    const serviceLinkedRole = new iam.CfnServiceLinkedRole(this, 'ServiceLinkedRole', {
      awsServiceName: 'config.amazonaws.com',
      description: 'AWS Config recorder of the bank platform',
    });
    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn: stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
      }),
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    this.recorder.addDependency(serviceLinkedRole);
    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      s3KeyPrefix: CONFIG_DELIVERY_PREFIX,
      s3KmsKeyArn: props.key.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    this.deliveryChannel.node.addDependency(this.bucket);
    this.deliveryChannel.addDependency(this.recorder);

    const eks = config.RuleScope.fromResources([config.ResourceType.EKS_CLUSTER]);
    const buckets = config.RuleScope.fromResources([config.ResourceType.S3_BUCKET]);
    const definitions: Record<
      ConformanceRule,
      { description: string; scope: config.RuleScope; inputParameters?: Record<string, unknown> } | undefined
    > = {
      'eks-endpoint-no-public-access': props.publicApiEndpoint
        ? undefined
        : { description: 'The EKS API endpoint is private', scope: eks },
      'eks-secrets-encrypted': {
        description: 'EKS encrypts Kubernetes Secrets with a KMS key',
        scope: eks,
      },
      'eks-cluster-logging-enabled': {
        description: 'EKS sends every control-plane log type to CloudWatch Logs',
        scope: eks,
        inputParameters: { logTypes: props.eksLogTypes.join(',') },
      },
      'eks-cluster-supported-version': {
        description: `EKS runs Kubernetes ${props.oldestKubernetesVersion} or newer (the platform's oldest supported minor)`,
        scope: eks,
        inputParameters: { oldestVersionSupported: props.oldestKubernetesVersion },
      },
      's3-bucket-public-read-prohibited': { description: 'No bucket allows public reads', scope: buckets },
      's3-bucket-public-write-prohibited': { description: 'No bucket allows public writes', scope: buckets },
      's3-bucket-ssl-requests-only': {
        description: 'Every bucket policy refuses requests without TLS',
        scope: buckets,
      },
      's3-bucket-versioning-enabled': { description: 'Every bucket is versioned', scope: buckets },
      's3-default-encryption-kms': {
        description: 'Every bucket encrypts by default with a KMS key',
        scope: buckets,
      },
      's3-bucket-logging-enabled': {
        description: 'Every bucket writes server access logs',
        scope: buckets,
      },
    };

    if (props.eksLogTypes.length === 0)
      throw new Error('ConfigConformance: eksLogTypes must name the log types the cluster enables');
    const rules: Partial<Record<ConformanceRule, config.ManagedRule>> = {};
    const ruleNames: string[] = [];
    for (const [name, definition] of Object.entries(definitions) as [
      ConformanceRule,
      (typeof definitions)[ConformanceRule],
    ][]) {
      if (definition === undefined) continue;
      const rule = new config.ManagedRule(this, `Rule-${name}`, {
        configRuleName: `${props.namePrefix}-${name}`,
        identifier: CONFORMANCE_RULES[name],
        description: definition.description,
        ruleScope: definition.scope,
        inputParameters: definition.inputParameters,
      });
      // A rule cannot be created before the account has a recorder.
      rule.node.addDependency(this.recorder);
      rules[name] = rule;
      ruleNames.push(`${props.namePrefix}-${name}`);
    }
    this.rules = rules;
    this.ruleNames = ruleNames;
  }
}
