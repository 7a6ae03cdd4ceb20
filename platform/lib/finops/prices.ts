// The pinned price table the cost estimate of `npm run synth:platform` is computed from
// (platform/lib/finops/estimate.ts, docs/platform/cost.md). Prices are facts that change: this table
// says when and where they were taken, and a reviewer updates the date with the figures.
// The 2026-12-02 figures were carried over as list prices (not fetched by a tool from the pages below);
// re-read the pages when updating, and change `date` with them.

/** How a CloudFormation resource type enters the estimate. */
export type ResourcePricing =
  /** A fixed monthly price per resource, computed by the estimate from the template (see `rule`). */
  | { readonly kind: 'priced'; readonly rule: string }
  /** Billed by use only (requests, GB stored or scanned, events); left out of the fixed estimate. */
  | { readonly kind: 'usage'; readonly note: string }
  /** No charge of its own. */
  | { readonly kind: 'free'; readonly note?: string };

export const PRICE_TABLE = {
  /** The day the figures were carried into this table. */
  date: '2026-12-02',
  region: 'eu-central-1',
  currency: 'USD',
  /** AWS's monthly hours (8,760 / 12). */
  hoursPerMonth: 730,
  sources: [
    'https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, EU (Frankfurt))',
    'https://aws.amazon.com/eks/pricing/ (standard support)',
    'https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4 address)',
    'https://aws.amazon.com/privatelink/pricing/ (interface endpoints)',
    'https://aws.amazon.com/rds/aurora/pricing/ (PostgreSQL-compatible, Aurora Standard)',
    'https://aws.amazon.com/ebs/pricing/ (gp3)',
    'https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer)',
    'https://aws.amazon.com/waf/pricing/',
    'https://aws.amazon.com/kms/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/ (standard alarms, detailed monitoring metrics)',
  ],
  /** On-demand EC2, USD per instance-hour (Graviton, Linux). */
  ec2Hourly: {
    'm7g.large': 0.0972,
    'm7g.xlarge': 0.1944,
    'm7g.2xlarge': 0.3888,
    'c7g.large': 0.0826,
    'c7g.xlarge': 0.1652,
    'c7g.2xlarge': 0.3304,
    'r7g.large': 0.1292,
    'r7g.xlarge': 0.2584,
    'r7g.2xlarge': 0.5168,
    'm6g.large': 0.092,
    'm6g.xlarge': 0.184,
    'm6g.2xlarge': 0.368,
  } as Readonly<Record<string, number>>,
  /**
   * Spot as a fraction of on-demand: an assumption, not a price (spot prices move hourly). Graviton
   * m/c/r large in Frankfurt usually trade at 55-70 % below on-demand; 0.4 keeps the estimate on the
   * safe side.
   */
  spotFactor: 0.4,
  /** Aurora PostgreSQL instances (Aurora Standard), USD per instance-hour. */
  auroraHourly: {
    'db.t4g.medium': 0.086,
    'db.t4g.large': 0.172,
    'db.r7g.large': 0.329,
    'db.r7g.xlarge': 0.658,
    'db.r7g.2xlarge': 1.316,
    'db.r6g.large': 0.31,
    'db.r6g.xlarge': 0.62,
  } as Readonly<Record<string, number>>,
  /** Aurora Standard storage, USD per GB-month (I/O is usage: 0.22 USD per million requests). */
  auroraStorageGbMonth: 0.11,
  /** EKS control plane (standard support), USD per cluster-hour. */
  eksClusterHourly: 0.1,
  /** NAT gateway, USD per gateway-hour (data processed is usage: 0.052 USD/GB). */
  natGatewayHourly: 0.052,
  /** Public IPv4 address (the NAT gateways' Elastic IPs), USD per address-hour. */
  publicIpv4Hourly: 0.005,
  /** Interface VPC endpoint, USD per endpoint per AZ per hour (data is usage: 0.01 USD/GB). */
  interfaceEndpointHourly: 0.012,
  /** gp3 volume, USD per GB-month (baseline IOPS and throughput included). */
  gp3GbMonth: 0.0952,
  /** Application Load Balancer, USD per hour, and per LCU-hour. */
  albHourly: 0.027,
  albLcuHourly: 0.0096,
  /** WAF: per web ACL-month, per rule-month (a managed rule group counts as one rule). Requests are usage. */
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  /** Customer managed KMS key, USD per key-month (requests are usage). */
  kmsKeyMonth: 1,
  /** Secrets Manager, USD per secret-month. */
  secretMonth: 0.4,
  /** Standard-resolution CloudWatch alarm, USD per alarm-month. */
  alarmMonth: 0.1,
  /** EC2 detailed monitoring: 7 metrics at 0.30 USD per metric-month, per instance. */
  detailedMonitoringInstanceMonth: 2.1,
} as const;

/**
 * Every CloudFormation resource type the platform's templates may hold, and how it is priced. A type
 * missing here makes the estimate list it as unpriced, and the prod test fail: a new kind of resource
 * cannot silently cost nothing.
 */
export const RESOURCE_PRICING: Readonly<Record<string, ResourcePricing>> = {
  'AWS::EC2::NatGateway': { kind: 'priced', rule: 'per gateway-hour' },
  'AWS::EC2::EIP': { kind: 'priced', rule: 'public IPv4 per address-hour' },
  'AWS::EC2::VPCEndpoint': { kind: 'priced', rule: 'Interface: per subnet (AZ)-hour; Gateway: free' },
  'AWS::RDS::DBInstance': { kind: 'priced', rule: 'per instance-hour by DBInstanceClass' },
  'AWS::RDS::DBCluster': { kind: 'priced', rule: 'assumed storage GB per cluster' },
  'AWS::EKS::Nodegroup': {
    kind: 'priced',
    rule: 'desired size x instance-hour (spot factor for SPOT) + gp3 root volumes',
  },
  'Custom::AWSCDK-EKS-Cluster': { kind: 'priced', rule: 'EKS control plane per cluster-hour' },
  'AWS::WAFv2::WebACL': { kind: 'priced', rule: 'per web ACL-month + per rule-month' },
  'AWS::KMS::Key': { kind: 'priced', rule: 'per key-month' },
  'AWS::SecretsManager::Secret': { kind: 'priced', rule: 'per secret-month' },
  'AWS::CloudWatch::Alarm': { kind: 'priced', rule: 'per standard alarm-month' },
  // Billed by use.
  'AWS::S3::Bucket': { kind: 'usage', note: 'GB stored, requests' },
  'AWS::Logs::LogGroup': { kind: 'usage', note: 'GB ingested and stored' },
  'AWS::EC2::FlowLog': { kind: 'usage', note: 'log ingestion (in the log group)' },
  'AWS::CloudTrail::Trail': {
    kind: 'usage',
    note: 'first management-event copy free; data events per 100,000',
  },
  'AWS::GuardDuty::Detector': { kind: 'usage', note: 'events, logs and runtime vCPU analysed' },
  'AWS::SecurityHub::Hub': { kind: 'usage', note: 'security checks and finding ingestion' },
  'AWS::SecurityHub::Standard': { kind: 'usage', note: 'security checks' },
  'AWS::Config::ConfigurationRecorder': { kind: 'usage', note: 'configuration items recorded' },
  'AWS::Config::ConfigRule': { kind: 'usage', note: 'rule evaluations' },
  'AWS::Config::DeliveryChannel': { kind: 'free' },
  'AWS::ECR::Repository': { kind: 'usage', note: 'GB stored' },
  'AWS::ECR::RegistryScanningConfiguration': { kind: 'usage', note: 'Inspector image scans' },
  'AWS::Lambda::Function': { kind: 'usage', note: 'requests and GB-seconds' },
  'AWS::Lambda::LayerVersion': { kind: 'free' },
  'AWS::StepFunctions::StateMachine': { kind: 'usage', note: 'state transitions' },
  'AWS::SQS::Queue': { kind: 'usage', note: 'requests' },
  'AWS::SNS::Topic': { kind: 'usage', note: 'publishes and deliveries' },
  'AWS::Backup::BackupVault': { kind: 'usage', note: 'GB of recovery points, cross-region copy transfer' },
  'AWS::RDS::GlobalCluster': { kind: 'usage', note: 'replicated write I/O, cross-region transfer' },
  'AWS::Events::Rule': { kind: 'usage', note: 'AWS service events are free; custom events per million' },
  'AWS::WAFv2::LoggingConfiguration': { kind: 'usage', note: 'log ingestion' },
  // No charge of their own.
  'AWS::ApplicationAutoScaling::ScalableTarget': { kind: 'free' },
  'AWS::ApplicationAutoScaling::ScalingPolicy': { kind: 'free' },
  'AWS::Backup::BackupPlan': { kind: 'free', note: 'recovery points are billed in the vault' },
  'AWS::Backup::BackupSelection': { kind: 'free' },
  'AWS::Backup::BackupVaultLockConfiguration': { kind: 'free' },
  'AWS::Budgets::Budget': { kind: 'free', note: 'budgets without actions' },
  'AWS::Logs::QueryDefinition': { kind: 'free', note: 'a saved query; running it is billed per GB scanned' },
  'AWS::XRay::SamplingRule': {
    kind: 'usage',
    note: 'the rule is free; recorded and retrieved traces are billed',
  },
  'AWS::CE::AnomalyMonitor': { kind: 'free' },
  'AWS::CE::AnomalySubscription': { kind: 'free' },
  'AWS::BCMDataExports::Export': { kind: 'free', note: 'the delivered files are S3 storage' },
  'AWS::CloudFormation::Stack': { kind: 'free', note: 'its resources are counted in the nested template' },
  'AWS::EC2::InternetGateway': { kind: 'free' },
  'AWS::EC2::LaunchTemplate': { kind: 'free' },
  'AWS::EC2::Route': { kind: 'free' },
  'AWS::EC2::RouteTable': { kind: 'free' },
  'AWS::EC2::SecurityGroup': { kind: 'free' },
  'AWS::EC2::SecurityGroupEgress': { kind: 'free' },
  'AWS::EC2::SecurityGroupIngress': { kind: 'free' },
  'AWS::EC2::Subnet': { kind: 'free' },
  'AWS::EC2::SubnetRouteTableAssociation': { kind: 'free' },
  'AWS::EC2::VPC': { kind: 'free' },
  'AWS::EC2::VPCGatewayAttachment': { kind: 'free' },
  'AWS::EKS::AccessEntry': { kind: 'free' },
  'AWS::EKS::Addon': { kind: 'free', note: 'its pods run on the nodes' },
  'AWS::EKS::PodIdentityAssociation': { kind: 'free' },
  'AWS::IAM::InstanceProfile': { kind: 'free' },
  'AWS::IAM::ManagedPolicy': { kind: 'free' },
  'AWS::IAM::OIDCProvider': { kind: 'free' },
  'AWS::IAM::Policy': { kind: 'free' },
  'AWS::IAM::Role': { kind: 'free' },
  'AWS::IAM::ServiceLinkedRole': { kind: 'free' },
  'AWS::KMS::Alias': { kind: 'free' },
  'AWS::RDS::DBClusterParameterGroup': { kind: 'free' },
  'AWS::RDS::DBParameterGroup': { kind: 'free' },
  'AWS::RDS::DBSubnetGroup': { kind: 'free' },
  'AWS::S3::BucketPolicy': { kind: 'free' },
  'AWS::SNS::Subscription': { kind: 'free', note: 'e-mail deliveries are free up to 1,000 a month' },
  'AWS::SNS::TopicPolicy': { kind: 'free' },
  'AWS::SQS::QueuePolicy': { kind: 'free' },
  'AWS::SSM::Parameter': { kind: 'free', note: 'standard tier' },
  'AWS::SecretsManager::ResourcePolicy': { kind: 'free' },
  'AWS::SecretsManager::RotationSchedule': { kind: 'free', note: 'the rotation Lambda is usage' },
  'AWS::SecretsManager::SecretTargetAttachment': { kind: 'free' },
  'AWS::Serverless::Application': { kind: 'free', note: 'the kubectl layer' },
  // CDK's custom resources: the work is done (and billed) by their provider Lambda functions.
  'Custom::AWSCDK-EKS-HelmChart': { kind: 'free', note: 'the workloads run on the nodes' },
  'Custom::AWSCDK-EKS-KubernetesPatch': { kind: 'free' },
  'Custom::AWSCDK-EKS-KubernetesResource': { kind: 'free' },
  'Custom::AWSCDKCfnJson': { kind: 'free' },
  'Custom::VpcRestrictDefaultSG': { kind: 'free' },
};

/**
 * What the templates cannot say: sizes the estimate assumes. Printed with the estimate so nobody mistakes
 * them for measured values.
 */
export const ESTIMATE_ASSUMPTIONS = {
  /** Aurora storage per cluster (the global database's secondary stores its own copy). */
  auroraStorageGb: 50,
  /** Root volume of every node (platform/lib/cluster/autoscaling.ts: 50 GiB gp3). */
  nodeRootVolumeGb: 50,
  /** Application Load Balancers created by the AWS Load Balancer Controller (the API Ingress). */
  albs: 1,
  /** LCUs the ALB averages (a quiet API). */
  albLcus: 1,
  /** Karpenter workload nodes: nodes.minCapacity of the first instance family's large size. */
  workloadNodeSize: 'large',
} as const;
