import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { WorkloadIdentity } from '../../config/workloads.js';

export interface PodIdentityProps {
  /** The cluster the association lives in; only Pod Identity acting for it may assume the role (confused-deputy guard). */
  readonly cluster: eks.ICluster;
  /** The Kubernetes identity (namespace and service account) the role is bound to. */
  readonly workload: WorkloadIdentity;
  /** Name of the role and of its customer-managed policy. */
  readonly roleName: string;
  readonly description: string;
}

/**
 * A principal whose grants land in one customer-managed policy instead of the role's inline default
 * policy (NIST 800-53 and PCI DSS packs reject inline policies).
 */
class ManagedPolicyPrincipal implements iam.IPrincipal {
  readonly grantPrincipal: iam.IPrincipal = this;

  constructor(
    private readonly role: iam.IRole,
    private readonly policy: iam.ManagedPolicy,
  ) {}

  get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }
}

/**
 * An IAM role bound to one Kubernetes service account through EKS Pod Identity: no OIDC trust
 * policy to maintain and no long-lived credentials; the Pod Identity agent hands out session tokens.
 * It is `IGrantable`: resources grant it access (`database.grantConnect(identity, role)`,
 * `bucket.grantPrefixReadWrite(identity, prefix)`), and every grant lands in the identity's own
 * customer-managed policy.
 */
export class PodIdentity extends Construct implements iam.IGrantable {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;
  /** Where grants land; attached to `role`. */
  readonly policy: iam.ManagedPolicy;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: PodIdentityProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.PrincipalWithConditions(
        new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
        {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': props.cluster.clusterArn },
        },
      ),
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.roleName,
      description: props.description,
      roles: [this.role],
    });
    this.grantPrincipal = new ManagedPolicyPrincipal(this.role, this.policy);
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.workload.namespace,
      serviceAccount: props.workload.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}
