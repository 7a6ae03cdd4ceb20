import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { BANK_API } from '../../config/workloads.js';
import { AURORA_CLUSTER_PARAMETERS, AURORA_ENGINE_VERSION, POSTGRES_PORT } from '../data/aurora-database.js';
import { availabilityZones } from '../network/subnet-plan.js';
import { accessLogsBucket } from '../security/access-logs-bucket.js';
import { allowCloudWatchLogs, rotatingKey } from '../shared/kms.js';
import { encryptedLogGroup } from '../shared/log-groups.js';
import {
  bucketName,
  databaseConnectionSecretName,
  globalClusterIdentifier,
  replicationRoleName,
  resourceName,
  secondaryClusterIdentifier,
  standbyBucketName,
  standbyKeyAlias,
  standbyRegion,
} from '../shared/naming.js';
import { objectLockRetention } from '../shared/secure-bucket.js';
import { ReplicaBuckets } from './replica-buckets.js';
import { REPLICATED_BUCKETS } from './replication.js';
import { AuroraSecondaryCluster } from './secondary-cluster.js';

export interface StandbyStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * The standby region's storage (docs/adr/0008): its own key, a server-access-log bucket, the replicas
 * of the audit and backups buckets (Object Lock as their sources) and the replication role. Deployed
 * before the primary region's security and cluster stacks, whose buckets replicate into it.
 */
export class StandbyStorageStack extends Stack {
  /** Encrypts the replicas, the secondary Aurora cluster and the standby's log groups. */
  readonly key: kms.Key;
  readonly replicas: ReplicaBuckets;

  constructor(scope: Construct, id: string, props: StandbyStackProps) {
    super(scope, id, props);
    const { config } = props;
    const region = standbyRegion(config);
    this.key = rotatingKey(this, 'StandbyKey', {
      alias: standbyKeyAlias(config),
      description: `Disaster recovery of ${config.name} in ${region}: replicas, standby Aurora, logs`,
    });
    allowCloudWatchLogs(this.key);

    const accessLogs = accessLogsBucket(this, 'AccessLogsBucket', standbyBucketName(config, 'access-logs'));
    const backupsLock = config.backupsObjectLock;
    this.replicas = new ReplicaBuckets(this, 'Replicas', {
      sourceRegion: config.region,
      encryptionKey: this.key,
      accessLogsBucketName: accessLogs.bucketName,
      roleName: replicationRoleName(config),
      replicas: [
        {
          id: 'AuditReplica',
          bucketName: standbyBucketName(config, REPLICATED_BUCKETS.audit),
          sourceBucketName: bucketName(config, 'audit'),
          objectLockRetention: objectLockRetention(
            config.retention.auditObjectLockMode,
            config.retention.auditObjectLockDays,
          ),
          lifecycleRules: [
            {
              id: 'archive-audit-logs',
              transitions: [
                {
                  storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                  transitionAfter: Duration.days(90),
                },
                { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(365) },
              ],
            },
          ],
        },
        {
          id: 'BackupsReplica',
          bucketName: standbyBucketName(config, REPLICATED_BUCKETS.backups),
          sourceBucketName: bucketName(config, 'backups'),
          objectLockRetention: backupsLock && objectLockRetention(backupsLock.mode, backupsLock.days),
          lifecycleRules: [
            {
              id: 'archive-backups',
              transitions: [
                {
                  storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                  transitionAfter: Duration.days(30),
                },
                { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(180) },
              ],
              expiration: Duration.days(config.retention.backupsDays),
            },
          ],
        },
      ],
    });
    this.replicas.node.addDependency(accessLogs);

    new CfnOutput(this, 'StandbyKeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'ReplicationRoleArn', { value: this.replicas.role.roleArn });
    for (const [id, bucket] of this.replicas.buckets) {
      new CfnOutput(this, `${id}Name`, { value: bucket.bucketName });
    }
  }
}

export interface StandbyDatabaseStackProps extends StandbyStackProps {
  /** The standby storage stack's key (same region). */
  readonly key: kms.IKey;
}

/**
 * The standby region's database (docs/adr/0008): a VPC with isolated subnets only (no NAT, no internet
 * gateway: nothing runs here until a failover) and the headless secondary cluster of the Aurora Global
 * Database, plus the bank API's connection secret pointing at it. Deployed after the primary
 * region's cluster stack, which creates the global database.
 */
export class StandbyDatabaseStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly secondary: AuroraSecondaryCluster;
  private readonly configuredAzs: string[];

  constructor(scope: Construct, id: string, props: StandbyDatabaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const dr = config.disasterRecovery;
    if (!dr) throw new Error(`${config.name}: StandbyDatabaseStack needs disasterRecovery in the config`);
    this.configuredAzs = availabilityZones(dr.region, config.azCount);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: resourceName(config, 'dr-vpc'),
      ipAddresses: ec2.IpAddresses.cidr(dr.vpcCidr),
      availabilityZones: this.configuredAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        encryptedLogGroup(this, 'FlowLogGroup', {
          logGroupName: `/bank/${config.name}/dr/vpc/flow-logs`,
          encryptionKey: props.key,
        }),
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.secondary = new AuroraSecondaryCluster(this, 'AuroraStandby', {
      vpc: this.vpc,
      clusterIdentifier: secondaryClusterIdentifier(config),
      globalClusterIdentifier: globalClusterIdentifier(config),
      engineVersion: AURORA_ENGINE_VERSION,
      encryptionKey: props.key,
      logKey: props.key,
      parameters: AURORA_CLUSTER_PARAMETERS,
      backupRetention: Duration.days(config.database.backupRetentionDays),
      deletionProtection: config.database.deletionProtection,
      port: POSTGRES_PORT,
    });
    this.secondary.addConnectionSecret('BankApiDatabaseConnection', {
      secretName: databaseConnectionSecretName(config, BANK_API.name),
      databaseName: BANK_API.database.name,
      role: BANK_API.database.role,
    });

    new CfnOutput(this, 'StandbyClusterIdentifier', { value: this.secondary.clusterIdentifier });
    new CfnOutput(this, 'StandbyClusterEndpoint', { value: this.secondary.clusterEndpoint });
    new CfnOutput(this, 'StandbyVpcId', { value: this.vpc.vpcId });
  }

  /** The configured zones; the default getter would look them up in the account (a network call). */
  override get availabilityZones(): string[] {
    return this.configuredAzs;
  }
}
