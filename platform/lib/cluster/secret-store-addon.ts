import type * as blueprints from '@aws-quickstart/eks-blueprints';
import type { EnvironmentConfig } from '../../config/index.js';
import { SECRET_STORE, SECRET_STORE_NAMESPACES } from '../../config/workloads.js';

/**
 * The store External Secrets reads Secrets Manager through, as a Blueprints add-on applied after the
 * External Secrets chart. It has no auth block, so the controller uses its own Pod Identity role,
 * which may read only bank/<env>/* secrets; only the namespaces of the workload contract may use it.
 */
export class SecretStoreAddOn implements blueprints.ClusterAddOn, blueprints.ClusterPostDeploy {
  readonly id = 'SecretStoreAddOn';

  constructor(private readonly env: EnvironmentConfig) {}

  deploy(): void {
    // Everything happens in postDeploy, once the External Secrets add-on is provisioned.
  }

  postDeploy(clusterInfo: blueprints.ClusterInfo): void {
    const externalSecretsChart = clusterInfo.getProvisionedAddOn('ExternalsSecretsAddOn');
    const store = clusterInfo.cluster.addManifest('ClusterSecretStore', {
      apiVersion: 'external-secrets.io/v1',
      kind: SECRET_STORE.kind,
      metadata: { name: SECRET_STORE.name },
      spec: {
        provider: { aws: { service: 'SecretsManager', region: this.env.region } },
        conditions: [{ namespaces: [...SECRET_STORE_NAMESPACES] }],
      },
    });
    if (externalSecretsChart) store.node.addDependency(externalSecretsChart);
  }
}
