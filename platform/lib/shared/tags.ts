import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { costAllocationTags } from '../../config/tags.js';

// The tag schema itself is declared in platform/config/tags.ts, which the charts import too (the ALB).
export { costAllocationTags };

export function applyCostAllocationTags(scope: IConstruct, env: EnvironmentConfig): void {
  for (const [key, value] of Object.entries(costAllocationTags(env))) {
    Tags.of(scope).add(key, value);
  }
}
