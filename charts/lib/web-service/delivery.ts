import type { ICanaryStrategy } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/CanaryStrategy';
import type { Delivery, ResolvedWebServiceProps } from './props.js';
import { surgePods } from './props.js';

// The Argo Rollouts side of a WebService: the canary strategy of its Rollout and the names of the
// Services an ALB-routed canary splits the traffic between.

/** The analysis argument carrying the canary ReplicaSet's pod-template hash (its pods' name prefix). */
export const CANARY_HASH_ARG = 'canary-hash';

export type CanaryDelivery = Extract<Delivery, { kind: 'canary' }>;

/** The Services an ALB-routed canary moves traffic between (the controller sets their selectors). */
export function canaryServiceNames(p: Pick<ResolvedWebServiceProps, 'name'>): {
  stable: string;
  canary: string;
} {
  return { stable: `${p.name}-stable`, canary: `${p.name}-canary` };
}

/** The label a Rollout's pods carry per revision (a Deployment's is `pod-template-hash`). */
export function revisionLabelKey(delivery: Delivery): string {
  return delivery.kind === 'canary' ? 'rollouts-pod-template-hash' : 'pod-template-hash';
}

/** `spec.strategy.canary` of the Rollout: the steps, the background analysis, and the traffic split. */
export function canaryStrategy(p: ResolvedWebServiceProps, delivery: CanaryDelivery): ICanaryStrategy {
  const services = canaryServiceNames(p);
  return {
    // As the rolling update did: never below the desired count, surge by a quarter.
    maxUnavailable: 0,
    maxSurge: surgePods(p),
    steps: delivery.steps.map((step) =>
      'setWeight' in step ? { setWeight: step.setWeight } : { pause: { duration: step.pause } },
    ),
    ...(delivery.analysis
      ? {
          analysis: {
            templates: [{ templateName: delivery.analysis.templateName }],
            startingStep: delivery.analysis.startingStep,
            args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
          },
        }
      : {}),
    stableService: services.stable,
    canaryService: services.canary,
    ...(delivery.trafficRouting === 'alb'
      ? {
          trafficRouting: {
            // The controller writes the weights into the Ingress's `actions.<rootService>` annotation;
            // the Ingress's backend names that action (port `use-annotation`).
            alb: { ingress: p.name, rootService: p.name, servicePort: p.httpPort },
          },
        }
      : {}),
  };
}
