import type { EnvironmentConfig } from './schema.js';

// One tag schema for everything the platform creates in AWS: the CDK app tags every
// resource with these (platform/lib/shared/tags.ts) and the charts tag the ALB and its target groups
// with the same keys and values (the Ingress's alb.ingress.kubernetes.io/tags). Activate the same keys
// as cost allocation tags in Billing.

/** Cost-allocation and ownership tags of an environment, by AWS tag key. */
export const costAllocationTags = (env: EnvironmentConfig): Record<string, string> => ({
  Environment: env.name,
  Project: env.tags.project,
  CostCenter: env.tags.costCenter,
  Owner: env.tags.owner,
  DataClassification: env.tags.dataClassification,
});
