import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../shared/log-groups.js';

/** Pinned engine: minor upgrades are a reviewed config change, not a surprise during a maintenance window. */
export const AURORA_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_17_5;

export const POSTGRES_PORT = 5432;

/**
 * Cluster parameters: TLS-only connections and statement/connection logging for audit. The standby
 * secondary in the DR region (platform/lib/dr) uses the same set, so a promoted cluster behaves alike.
 */
export const AURORA_CLUSTER_PARAMETERS: Readonly<Record<string, string>> = {
  'rds.force_ssl': '1',
  ssl_min_protocol_version: 'TLSv1.2',
  log_connections: '1',
  log_disconnections: '1',
  log_min_duration_statement: '1000',
  log_lock_waits: '1',
  deadlock_timeout: '1000',
};

export interface AuroraDatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly clusterIdentifier: string;
  readonly secretName: string;
  readonly databaseName: string;
  /** e.g. db.r7g.large */
  readonly instanceClass: string;
  readonly readers: number;
  /** AZs of the isolated subnets: the writer goes to the first, readers to the others in turn. */
  readonly availabilityZones: readonly string[];
  /** Reader auto scaling upper bound; equal to `readers` disables reader auto scaling. */
  readonly maxReaders: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly storageKey: kms.IKey;
  readonly logKey: kms.IKey;
  /**
   * The security group of the Secrets Manager interface endpoint (private DNS on). The rotation
   * function may send HTTPS there and PostgreSQL to the cluster, nothing else.
   */
  readonly secretsManagerEndpointSecurityGroup: ec2.ISecurityGroup;
}

/**
 * Aurora PostgreSQL in the isolated subnets: one writer plus readers in the other AZs, encrypted with
 * a customer key, TLS enforced, IAM auth on, credentials in Secrets Manager with rotation, logs
 * exported to a KMS-encrypted log group kept for a year.
 */
export class AuroraDatabase extends Construct implements ec2.IConnectable {
  readonly cluster: rds.DatabaseCluster;
  readonly securityGroup: ec2.SecurityGroup;
  /** The secret-rotation function's group: egress to Aurora (5432) and the Secrets Manager endpoint (443). */
  readonly rotationSecurityGroup: ec2.SecurityGroup;
  /** Who may reach the writer and readers on 5432: `aurora.connections.allowDefaultPortFrom(peer)`. */
  readonly connections: ec2.Connections;
  private readonly databaseName: string;
  private readonly storageKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_ENGINE_VERSION });
    const instanceType = new ec2.InstanceType(props.instanceClass.replace(/^db\./, ''));

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora PostgreSQL: reachable only from the EKS cluster security group',
      allowAllOutbound: false,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'ClusterParameters', {
      engine,
      description: 'TLS-only connections and statement/connection logging for audit',
      parameters: { ...AURORA_CLUSTER_PARAMETERS },
    });

    // Pre-created so the exported logs are KMS-encrypted and kept a year; RDS writes into it by name.
    const logGroup = encryptedLogGroup(this, 'PostgresqlLogGroup', {
      logGroupName: `/aws/rds/cluster/${props.clusterIdentifier}/postgresql`,
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
    });

    const instanceProps = {
      instanceType,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.storageKey,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      autoMinorVersionUpgrade: false,
      publiclyAccessible: false,
      // Pinned CA so clients verifying the server certificate (rds.force_ssl) know which bundle to trust.
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    } satisfies rds.ProvisionedClusterInstanceProps;
    const zones = props.availabilityZones;
    const readerZone = (i: number) => (zones.length > 1 ? zones[1 + (i % (zones.length - 1))] : zones[0]);

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      clusterIdentifier: props.clusterIdentifier,
      engine,
      credentials: rds.Credentials.fromGeneratedSecret('bank_admin', {
        secretName: props.secretName,
        encryptionKey: props.storageKey,
      }),
      defaultDatabaseName: props.databaseName,
      port: POSTGRES_PORT,
      writer: rds.ClusterInstance.provisioned('writer', { ...instanceProps, availabilityZone: zones[0] }),
      // Readers sit in the other AZs so a failover lands the writer in a zone that was not lost.
      readers: Array.from({ length: props.readers }, (_, i) =>
        rds.ClusterInstance.provisioned(`reader${i + 1}`, {
          ...instanceProps,
          availabilityZone: readerZone(i),
          promotionTier: 1,
        }),
      ),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: props.storageKey,
      iamAuthentication: true,
      backup: { retention: Duration.days(props.backupRetentionDays), preferredWindow: '01:00-02:00' },
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['postgresql'],
      monitoringInterval: Duration.seconds(60),
      copyTagsToSnapshot: true,
      storageType: rds.DBClusterStorageType.AURORA,
    });
    this.cluster.node.addDependency(logGroup);
    this.connections = this.cluster.connections;
    this.databaseName = props.databaseName;
    this.storageKey = props.storageKey;

    // The rotation function holds the master password: the default group (all egress to 0.0.0.0/0)
    // would let a compromised function send it anywhere. Rotation adds the 5432 rule to the cluster.
    this.rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description:
        'Aurora secret rotation: PostgreSQL to Aurora and HTTPS to the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    this.rotationSecurityGroup.addEgressRule(
      props.secretsManagerEndpointSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to the Secrets Manager interface endpoint',
    );
    this.cluster.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: this.rotationSecurityGroup,
    });

    if (props.maxReaders > props.readers) {
      const target = new appscaling.ScalableTarget(this, 'ReaderScaling', {
        serviceNamespace: appscaling.ServiceNamespace.RDS,
        scalableDimension: 'rds:cluster:ReadReplicaCount',
        resourceId: `cluster:${this.cluster.clusterIdentifier}`,
        minCapacity: props.readers,
        maxCapacity: props.maxReaders,
      });
      target.scaleToTrackMetric('ReaderCpu', {
        predefinedMetric: appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION,
        targetValue: 60,
        scaleInCooldown: Duration.minutes(10),
        scaleOutCooldown: Duration.minutes(3),
      });
    }
  }

  /**
   * Lets `grantee` log in as the database role `role` with IAM auth tokens (`rds-db:connect` on that
   * one database user of this cluster). The role itself is created by the service's migrations.
   */
  grantConnect(grantee: iam.IGrantable, role: string): iam.Grant {
    return this.cluster.grantConnect(grantee, role);
  }

  /**
   * A secret with what a client of `role` needs to connect (host, port, dbname, username) and no
   * credential: the client signs an IAM token per connection. Workloads read this, never the master
   * secret, which only the migration login uses.
   */
  addConnectionSecret(id: string, props: { secretName: string; role: string }): secretsmanager.Secret {
    return new secretsmanager.Secret(this, id, {
      secretName: props.secretName,
      description: `Connection facts for database role ${props.role} (IAM auth; no password)`,
      encryptionKey: this.storageKey,
      secretObjectValue: {
        host: SecretValue.unsafePlainText(this.cluster.clusterEndpoint.hostname),
        port: SecretValue.unsafePlainText(String(POSTGRES_PORT)),
        dbname: SecretValue.unsafePlainText(this.databaseName),
        username: SecretValue.unsafePlainText(props.role),
      },
    });
  }
}
