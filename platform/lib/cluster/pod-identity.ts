import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityProps {
  readonly clusterName: string;
  /** Only Pod Identity acting for this cluster may assume the role (confused-deputy guard). */
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleName: string;
  readonly description: string;
}

/**
 * An IAM role bound to one Kubernetes service account through EKS Pod Identity: no OIDC trust
 * policy to maintain and no long-lived credentials; the Pod Identity agent hands out session tokens.
 */
export class PodIdentity extends Construct {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.PrincipalWithConditions(
        new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
        {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': props.clusterArn },
        },
      ),
    });
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}
