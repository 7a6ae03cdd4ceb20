import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';

/** Cost-allocation and ownership tags; activate the same keys as cost allocation tags in Billing. */
export const costAllocationTags = (env: EnvironmentConfig): Record<string, string> => ({
  Environment: env.name,
  Project: env.tags.project,
  CostCenter: env.tags.costCenter,
  Owner: env.tags.owner,
  DataClassification: env.tags.dataClassification,
});

export function applyCostAllocationTags(scope: IConstruct, env: EnvironmentConfig): void {
  for (const [key, value] of Object.entries(costAllocationTags(env))) {
    Tags.of(scope).add(key, value);
  }
}
