import type { CostService, EnvironmentConfig } from './schema.js';

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

/**
 * The cost allocation tag that splits an environment's bill by service (the per-service budgets
 * filter on it). The CDK app sets it per construct (platform/lib/finops/service-tags.ts); the charts
 * set it on the AWS resources their workloads create, such as bank-api's ALB.
 */
export const SERVICE_TAG_KEY = 'Service';

/** An environment's tags for the AWS resources of one service. */
export const serviceTags = (env: EnvironmentConfig, service: CostService): Record<string, string> => ({
  ...costAllocationTags(env),
  [SERVICE_TAG_KEY]: service,
});
