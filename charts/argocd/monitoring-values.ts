import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { EnvironmentConfig } from '../../platform/config/index.js';
import { mergeValues } from '../../platform/lib/cluster/argocd-values.js';
import { clusterName, resourceName } from '../../platform/lib/shared/naming.js';

// kube-prometheus-stack values for one environment: the YAML kept next to this file
// (values.yaml overlaid by values-<env>.yaml, the layering `helm -f a -f b` applies), then what is
// derived from the environment config.

type Values = Record<string, unknown>;

const VALUES_DIR = join(import.meta.dirname, 'kube-prometheus-stack');

const isMapping = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

function readValues(path: string): Values {
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new Error(`${path}: Helm values must be a YAML mapping`);
  return parsed;
}

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
    alertmanager: {
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
  const base = readValues(join(dir, 'values.yaml'));
  const overlayPath = join(dir, `values-${env.name}.yaml`);
  const layered = existsSync(overlayPath) ? mergeValues(base, readValues(overlayPath)) : base;
  return mergeValues(layered, derivedValues(env));
}
