import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface AuroraGlobalDatabaseProps {
  /**
   * Name of the global database; the secondary cluster in the standby region joins it by this name.
   * 1-63 letters, digits or hyphens, starting with a letter, no double or trailing hyphen.
   */
  readonly globalClusterIdentifier: string;
  /** The existing cluster that becomes the global database's primary (writer) cluster. */
  readonly primary: rds.IDatabaseCluster;
  /**
   * Whether the global database refuses deletion.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$/;

/**
 * An Aurora Global Database built around an existing regional cluster: the cluster's storage is
 * replicated to secondary clusters in other regions (typically under a second behind), which can be
 * switched over to or failed over to (docs/adr/0008). The engine, version and encryption come from
 * the primary. Kept when its stack is deleted: removing it would detach every secondary.
 */
export class AuroraGlobalDatabase extends Construct {
  readonly globalCluster: rds.CfnGlobalCluster;
  readonly globalClusterIdentifier: string;

  constructor(scope: Construct, id: string, props: AuroraGlobalDatabaseProps) {
    super(scope, id);
    if (
      !Token.isUnresolved(props.globalClusterIdentifier) &&
      !IDENTIFIER.test(props.globalClusterIdentifier)
    ) {
      throw new Error(
        `${this.node.path}: globalClusterIdentifier '${props.globalClusterIdentifier}' must be 1-63 letters, ` +
          'digits or hyphens, start with a letter, and have no double or trailing hyphen',
      );
    }
    this.globalClusterIdentifier = props.globalClusterIdentifier;
    this.globalCluster = new rds.CfnGlobalCluster(this, 'Resource', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      // Engine, version, encryption and database name are taken from the source cluster; AWS refuses
      // them next to SourceDBClusterIdentifier.
      sourceDbClusterIdentifier: props.primary.clusterArn,
      deletionProtection: props.deletionProtection ?? true,
    });
    this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
