import type * as blueprints from '@aws-quickstart/eks-blueprints';
import { rootApplication } from '../../../argocd/applications.js';
import { bootstrapProject } from '../../../argocd/projects.js';
import type { EnvironmentConfig } from '../../config/index.js';

/**
 * The GitOps root, as a Blueprints add-on: the `bootstrap` AppProject (it may only create
 * Applications and AppProjects in argocd, from this repository) and the root Application in it,
 * both rendered by argocd/, the same code that renders the bootstrap folder the root syncs (and that
 * the local GitOps tests apply). The AppProject must exist before the root syncs the identical copy
 * from the branch, so it is applied first, and both wait for the Argo CD chart.
 * (Blueprints' own bootstrapRepo renders a Helm-typed Application, which a directory of YAML is not.)
 */
export class GitOpsRootAddOn implements blueprints.ClusterAddOn, blueprints.ClusterPostDeploy {
  readonly id = 'GitOpsRootAddOn';

  constructor(private readonly env: EnvironmentConfig) {}

  deploy(): void {
    // Everything happens in postDeploy, once the Argo CD add-on is provisioned.
  }

  postDeploy(clusterInfo: blueprints.ClusterInfo): void {
    const { cluster } = clusterInfo;
    const argoChart = clusterInfo.getProvisionedAddOn('ArgoCDAddOn');
    const project = cluster.addManifest(
      'GitOpsBootstrapProject',
      bootstrapProject(this.env).toJSON() as Record<string, unknown>,
    );
    const root = cluster.addManifest(
      'GitOpsRootApplication',
      rootApplication(this.env).toJSON() as Record<string, unknown>,
    );
    root.node.addDependency(project);
    if (argoChart) project.node.addDependency(argoChart);
  }
}
