import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { addOnGuardrails, type NamespaceBudget } from '../../platform/config/add-on-budgets.js';
import { WORKLOAD_PRIORITY_CLASS } from '../../platform/config/workloads.js';
import { ModelObject } from '../lib/model-object.js';
import { WorkloadNamespace } from '../lib/namespace/workload-namespace.js';
import { SYNC_WAVE } from '../lib/platform-contract.js';
import {
  type ResolvedWebServiceProps,
  resolveWebServiceProps,
  type WebServiceProps,
} from '../lib/web-service/props.js';

export interface NamespacesChartProps {
  readonly partOf: string;
  /** Every service of the environment; grouped by namespace. */
  readonly services: readonly WebServiceProps[];
  /**
   * Compute budgets of add-on namespaces this repository syncs into but does not create
   * (monitoring: Argo CD creates it for kube-prometheus-stack). @default none
   */
  readonly addOnBudgets?: readonly NamespaceBudget[];
}

/** One WorkloadNamespace per namespace the environment's services use, and the PriorityClasses they name. */
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
    for (const budget of props.addOnBudgets ?? []) {
      const { quota, limits } = addOnGuardrails(
        budget,
        { 'app.kubernetes.io/part-of': props.partOf, 'app.kubernetes.io/managed-by': 'cdk8s' },
        { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.guardrails },
      );
      new ModelObject(this, `${budget.namespace}-Quota`, new ResourceQuota(quota));
      new ModelObject(this, `${budget.namespace}-Limits`, new LimitRange(limits));
    }
    // The PriorityClasses the services' pods name; a pod naming a class that does not exist is
    // refused at admission, so each must be declared in the workload contract.
    const classes = [...new Set([...byNamespace.values()].flat().map((s) => s.priorityClassName))]
      .filter((name): name is string => name !== undefined)
      .sort();
    for (const name of classes) {
      const declared = [WORKLOAD_PRIORITY_CLASS].find((c) => c.name === name);
      if (!declared)
        throw new Error(
          `NamespacesChart: priorityClassName '${name}' is not declared in platform/config/workloads.ts`,
        );
      new ModelObject(
        this,
        `PriorityClass-${name}`,
        new PriorityClass({
          metadata: {
            name,
            labels: { 'app.kubernetes.io/part-of': props.partOf, 'app.kubernetes.io/managed-by': 'cdk8s' },
            annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE.namespace },
          },
          value: declared.value,
          globalDefault: false,
          preemptionPolicy: 'PreemptLowerPriority',
          description:
            "The bank's own workloads: preempt pods without a class (Argo CD, monitoring, batch), never the system-critical add-ons.",
        }),
      );
    }
  }
}
