import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ModelObject } from '../charts/lib/model-object.js';
import type { EnvironmentConfig } from '../platform/config/index.js';
import {
  BOOTSTRAP_SYNC_WAVE,
  monitoringApplication,
  rolloutsApplication,
  traceCollectorApplication,
  workloadsApplication,
} from './applications.js';
import { bankProject, bootstrapProject, platformProject } from './projects.js';

export interface ArgoCdBootstrapChartProps {
  readonly env: EnvironmentConfig;
}

/**
 * What the root Application of one cluster syncs (manifests/argocd/<env>/): the AppProjects and the
 * Applications they govern. One cluster per environment, so one bootstrap per environment.
 */
export class ArgoCdBootstrapChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdBootstrapChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    for (const project of [bootstrapProject(env), platformProject(env), bankProject(env)]) {
      project.metadata = {
        ...project.metadata,
        annotations: { 'argocd.argoproj.io/sync-wave': BOOTSTRAP_SYNC_WAVE.projects },
      };
      new ModelObject(this, `project-${project.metadata.name}`, project);
    }
    new ModelObject(this, 'application-monitoring', monitoringApplication(env));
    new ModelObject(this, 'application-trace-collector', traceCollectorApplication(env));
    new ModelObject(this, 'application-rollouts', rolloutsApplication());
    new ModelObject(this, 'application-workloads', workloadsApplication(env));
  }
}
