import { ArnFormat, Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../shared/log-groups.js';

export interface AuroraSecondaryClusterProps {
  readonly vpc: ec2.IVpc;
  /** @default - the VPC's isolated subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly clusterIdentifier: string;
  /** The global database (in another region's stack) this cluster joins, by name. */
  readonly globalClusterIdentifier: string;
  /** Must be the primary's version: a global database runs one engine version in every region. */
  readonly engineVersion: rds.AuroraPostgresEngineVersion;
  /** Encrypts the replicated storage in this region (a key of this region). */
  readonly encryptionKey: kms.IKey;
  /** Encrypts the exported PostgreSQL log group; the key must admit CloudWatch Logs. */
  readonly logKey: kms.IKey;
  /** Cluster parameters; the primary's set, so a promoted cluster enforces the same TLS and logging. */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Automated backup retention once the cluster is promoted (a secondary takes no backups of its own).
   *
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 5432 */
  readonly port?: number;
}

const IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;

/**
 * A headless secondary cluster of an Aurora PostgreSQL Global Database: it receives the primary's
 * storage replication but runs no DB instance, so it costs storage and replicated I/O only. Promoting
 * it (switchover or failover, docs/runbooks/regional-failover.md) needs a writer instance added
 * first. Same guard rails as the primary: encrypted with a key of this region, IAM auth, TLS-only
 * parameters, logs exported to an encrypted log group, no ingress until a failover opens one.
 */
export class AuroraSecondaryCluster extends Construct implements ec2.IConnectable {
  readonly cluster: rds.CfnDBCluster;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  readonly clusterIdentifier: string;
  /** The cluster endpoint: read-only while secondary, the writer endpoint once promoted. */
  readonly clusterEndpoint: string;
  private readonly encryptionKey: kms.IKey;
  private readonly port: number;

  constructor(scope: Construct, id: string, props: AuroraSecondaryClusterProps) {
    super(scope, id);
    for (const [field, value] of [
      ['clusterIdentifier', props.clusterIdentifier],
      ['globalClusterIdentifier', props.globalClusterIdentifier],
    ] as const) {
      if (!Token.isUnresolved(value) && !IDENTIFIER.test(value)) {
        throw new Error(
          `${this.node.path}: ${field} '${value}' must be 1-63 letters, digits or hyphens, start with a letter, ` +
            'and have no double or trailing hyphen',
        );
      }
    }
    const retention = props.backupRetention ?? Duration.days(35);
    if (retention.toDays() < 1 || retention.toDays() > 35) {
      throw new Error(`${this.node.path}: backupRetention must be 1-35 days (Aurora's range)`);
    }
    this.port = props.port ?? 5432;
    if (!Number.isInteger(this.port) || this.port < 1150 || this.port > 65535) {
      throw new Error(`${this.node.path}: port must be an integer in 1150-65535 (Aurora's range)`);
    }
    this.clusterIdentifier = props.clusterIdentifier;
    this.encryptionKey = props.encryptionKey;
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora standby: no ingress until a failover admits the rebuilt cluster',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [this.securityGroup],
      defaultPort: ec2.Port.tcp(this.port),
    });
    const subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: `Subnets of the Aurora standby ${props.clusterIdentifier}`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'ClusterParameters', {
      engine,
      description: 'Same as the primary: TLS-only connections and statement/connection logging',
      parameters: { ...props.parameters },
    });
    const logGroup = encryptedLogGroup(this, 'PostgresqlLogGroup', {
      logGroupName: `/aws/rds/cluster/${props.clusterIdentifier}/postgresql`,
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
    });

    this.cluster = new rds.CfnDBCluster(this, 'Resource', {
      dbClusterIdentifier: props.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: engine.engineType,
      engineVersion: props.engineVersion.auroraPostgresFullVersion,
      // No master user or database name: both come from the primary through replication.
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      dbClusterParameterGroupName: parameterGroup.bindToCluster({}).parameterGroupName,
      port: this.port,
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      enableIamDatabaseAuthentication: true,
      backupRetentionPeriod: retention.toDays(),
      preferredBackupWindow: '01:00-02:00',
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      deletionProtection: props.deletionProtection ?? true,
      enableCloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.cluster.node.addDependency(logGroup);
    this.clusterEndpoint = this.cluster.attrEndpointAddress;
  }

  /**
   * Lets `grantee` log in as the database role `role` with IAM auth tokens once this cluster serves
   * (the role itself is replicated from the primary with the rest of the data).
   */
  grantConnect(grantee: iam.IGrantable, role: string): iam.Grant {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
      throw new Error(`${this.node.path}: grantConnect role '${role}' is not a PostgreSQL role name`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [
        Stack.of(this).formatArn({
          service: 'rds-db',
          resource: 'dbuser',
          resourceName: `${this.cluster.attrDbClusterResourceId}/${role}`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
  }

  /**
   * The connection facts of `role` in this region (host, port, dbname, username; no password: IAM
   * auth), under the same secret name the primary region uses, so External Secrets in a cluster
   * rebuilt here finds them without a config change.
   */
  addConnectionSecret(
    id: string,
    props: { secretName: string; databaseName: string; role: string },
  ): secretsmanager.Secret {
    return new secretsmanager.Secret(this, id, {
      secretName: props.secretName,
      description: `Connection facts for database role ${props.role} on the standby cluster (IAM auth; no password)`,
      encryptionKey: this.encryptionKey,
      secretObjectValue: {
        host: SecretValue.unsafePlainText(this.clusterEndpoint),
        port: SecretValue.unsafePlainText(String(this.port)),
        dbname: SecretValue.unsafePlainText(props.databaseName),
        username: SecretValue.unsafePlainText(props.role),
      },
    });
  }
}
