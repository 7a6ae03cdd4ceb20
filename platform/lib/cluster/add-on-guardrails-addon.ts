import type * as blueprints from '@aws-quickstart/eks-blueprints';
import {
  addOnGuardrails,
  addOnNamespaceBudget,
  EXTERNAL_SECRETS_NAMESPACE,
} from '../../config/add-on-budgets.js';
import type { EnvironmentConfig } from '../../config/index.js';
import { ADD_ON_NAMESPACES } from '../../config/workloads.js';

/** The Blueprints add-ons whose namespaces get a budget here, by the id their chart is provisioned under. */
const NAMESPACES_BY_ADD_ON = [
  { addOn: 'ArgoCDAddOn', namespace: ADD_ON_NAMESPACES.argoCd },
  { addOn: 'ExternalsSecretsAddOn', namespace: EXTERNAL_SECRETS_NAMESPACE },
] as const;

/**
 * ResourceQuota and LimitRange (platform/config/add-on-budgets.ts) in the namespaces Blueprints creates
 * for Argo CD and External Secrets, applied once each add-on is provisioned (its namespace exists).
 * The monitoring namespace is created by Argo CD; its budget is rendered by the namespaces chart.
 */
export class AddOnGuardrailsAddOn implements blueprints.ClusterAddOn, blueprints.ClusterPostDeploy {
  readonly id = 'AddOnGuardrailsAddOn';

  constructor(private readonly env: EnvironmentConfig) {}

  deploy(): void {
    // Everything happens in postDeploy, once the add-ons' namespaces exist.
  }

  postDeploy(clusterInfo: blueprints.ClusterInfo): void {
    const labels = {
      'app.kubernetes.io/part-of': 'bank-platform',
      'app.kubernetes.io/managed-by': 'aws-cdk',
    };
    for (const { addOn, namespace } of NAMESPACES_BY_ADD_ON) {
      const { quota, limits } = addOnGuardrails(addOnNamespaceBudget(this.env, namespace), labels);
      // LimitRange first in the same manifest: a pod created between the two would otherwise be
      // refused by the quota for lacking requests.
      const manifest = clusterInfo.cluster.addManifest(`Guardrails-${namespace}`, limits, quota);
      const chart = clusterInfo.getProvisionedAddOn(addOn);
      if (!chart) throw new Error(`AddOnGuardrailsAddOn: add-on ${addOn} is not part of the cluster`);
      manifest.node.addDependency(chart);
    }
  }
}
