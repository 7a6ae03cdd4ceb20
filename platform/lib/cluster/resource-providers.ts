import type * as blueprints from '@aws-quickstart/eks-blueprints';
import type { IConstruct } from 'constructs';

/** Names under which the cluster stack registers its resources with the blueprint. */
export const RESOURCES = {
  dataKey: 'bank-data-key',
  logsKey: 'bank-logs-key',
  containerLogs: 'bank-container-logs',
  aurora: 'bank-aurora',
} as const;

/** A resource provider from a function; the blueprint calls it once, in registration order. */
export class FunctionResourceProvider<T extends IConstruct> implements blueprints.ResourceProvider<T> {
  constructor(private readonly create: (context: blueprints.ResourceContext) => T) {}

  provide(context: blueprints.ResourceContext): T {
    return this.create(context);
  }
}
