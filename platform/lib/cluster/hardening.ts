import type { IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

// Hardening of resources EKS Blueprints creates and owns, as CDK Aspects: they find the resource
// wherever the add-on put it and change only what Blueprints does not let us configure. Added with
// AspectPriority.MUTATING, so they run before the cdk-nag packs look at the result.

/** Construct ids Blueprints gives the resources hardened here (checked by the platform tests). */
export const BLUEPRINTS_IDS = {
  karpenterQueue: 'karpenter-queue',
  clusterAutoscalerPolicy: 'blueprints-addon-cluster-autoscaler-managed-policy',
} as const;

/** The interruption queue Blueprints creates for Karpenter: encrypted at rest, TLS-only in transit. */
export class KarpenterQueueHardening implements IAspect {
  private readonly done = new WeakSet<IConstruct>();

  visit(node: IConstruct): void {
    if (!(node instanceof sqs.Queue) || node.node.id !== BLUEPRINTS_IDS.karpenterQueue) return;
    // Aspect stabilization may visit a node again; the policy statement must be added once.
    if (this.done.has(node)) return;
    this.done.add(node);
    // SSE-SQS rather than KMS: EventBridge and AWS Health deliver into it without key grants.
    (node.node.defaultChild as sqs.CfnQueue).sqsManagedSseEnabled = true;
    node.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:*'],
        resources: [node.queueArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  }
}

/**
 * Blueprints grants Cluster Autoscaler its scaling actions on every Auto Scaling group of the
 * account. EKS tags each managed node group's ASG with k8s.io/cluster-autoscaler/<cluster>=owned;
 * denying the mutating actions on anything else confines the autoscaler to this cluster's groups.
 */
export class ClusterAutoscalerConfinement implements IAspect {
  private readonly done = new WeakSet<IConstruct>();

  constructor(private readonly clusterName: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof iam.ManagedPolicy) || node.node.id !== BLUEPRINTS_IDS.clusterAutoscalerPolicy)
      return;
    if (this.done.has(node)) return;
    this.done.add(node);
    node.addStatements(
      new iam.PolicyStatement({
        sid: 'OnlyThisClustersNodeGroups',
        effect: iam.Effect.DENY,
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: ['*'],
        conditions: {
          StringNotEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${this.clusterName}`]: 'owned' },
        },
      }),
    );
  }
}
