import { join } from 'node:path';
import type { EnvironmentConfig } from '../platform/config/index.js';
import { ADD_ON_IDENTITIES } from '../platform/config/workloads.js';
import { clusterName, resourceName } from '../platform/lib/shared/naming.js';
import { grafanaAdminValues } from './grafana-admin.js';
import { layeredValues, mergeValues, type HelmValues as Values } from './helm-values.js';

// kube-prometheus-stack values for one environment: the YAML kept in kube-prometheus-stack/ next to
// this file (layered per environment like every values folder here), then what is derived from the
// environment config.

const VALUES_DIR = join(import.meta.dirname, 'kube-prometheus-stack');

/** Name of the environment's on-call SNS topic (created by the platform's security stack). */
export const onCallTopicArn = (env: EnvironmentConfig): string =>
  `arn:aws:sns:${env.region}:${env.account}:${resourceName(env, 'oncall')}`;

/** Values only the environment config knows: series labels and the on-call receiver. */
function derivedValues(env: EnvironmentConfig): Values {
  return {
    prometheus: {
      prometheusSpec: {
        // Every series and alert says where it came from once it leaves the cluster.
        externalLabels: { cluster: clusterName(env), environment: env.name },
      },
    },
    // The accounts EKS Pod Identity binds roles to (platform/lib/cluster/workload-access.ts).
    grafana: { serviceAccount: { name: ADD_ON_IDENTITIES.grafana.serviceAccount } },
    alertmanager: {
      serviceAccount: { name: ADD_ON_IDENTITIES.alertmanager.serviceAccount },
      config: {
        receivers: [
          { name: 'null' },
          {
            name: 'oncall',
            // The same topic CloudWatch alarms and budgets page through; Alertmanager signs with its
            // Pod Identity role (service account kube-prometheus-stack-alertmanager).
            sns_configs: [
              {
                topic_arn: onCallTopicArn(env),
                sigv4: { region: env.region },
                subject: `[${env.name}] {{ .CommonLabels.alertname }}`,
                send_resolved: true,
              },
            ],
          },
        ],
      },
    },
  };
}

/** The merged values for `env` (arrays are replaced, not appended, as Helm does). */
export function kubePrometheusStackValues(env: EnvironmentConfig, dir: string = VALUES_DIR): Values {
  return mergeValues(mergeValues(layeredValues(dir, env.name), derivedValues(env)), grafanaAdminValues());
}
