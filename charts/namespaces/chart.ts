import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { WorkloadNamespace } from '../lib/namespace/workload-namespace.js';
import {
  type ResolvedWebServiceProps,
  resolveWebServiceProps,
  type WebServiceProps,
} from '../lib/web-service/props.js';

export interface NamespacesChartProps {
  readonly partOf: string;
  /** Every service of the environment; grouped by namespace. */
  readonly services: readonly WebServiceProps[];
}

/** One WorkloadNamespace per namespace the environment's services use. */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string, props: NamespacesChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const byNamespace = new Map<string, ResolvedWebServiceProps[]>();
    for (const service of props.services) {
      const resolved = resolveWebServiceProps(service);
      byNamespace.set(resolved.namespace, [...(byNamespace.get(resolved.namespace) ?? []), resolved]);
    }
    for (const [name, services] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
      new WorkloadNamespace(this, name, { name, partOf: props.partOf, services });
    }
  }
}
