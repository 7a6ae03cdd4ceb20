import { join } from 'node:path';
import type { EnvironmentConfig } from '../platform/config/index.js';
import { TRACE_COLLECTOR } from '../platform/config/workloads.js';
import { type HelmValues, layeredValues, mergeValues } from './helm-values.js';

// opentelemetry-collector values for one environment: the YAML in opentelemetry-collector/ next to
// this file (layered per environment), then what the workload contract and the environment config
// say: the Service and ServiceAccount name (Pod Identity binds the X-Ray role to it), the ports
// bank-api is allowed to reach, and the region of X-Ray.

const VALUES_DIR = join(import.meta.dirname, 'opentelemetry-collector');

/** Span attributes X-Ray indexes as annotations (searchable: annotation.bank_request_id = "..."). */
export const XRAY_INDEXED_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'bank.request_id',
] as const;

function derivedValues(env: EnvironmentConfig): HelmValues {
  const { otlpHttp, xraySampling } = TRACE_COLLECTOR.ports;
  return {
    fullnameOverride: TRACE_COLLECTOR.releaseName,
    serviceAccount: { create: true, name: TRACE_COLLECTOR.serviceAccount },
    ports: {
      'otlp-http': { enabled: true, containerPort: otlpHttp, servicePort: otlpHttp, protocol: 'TCP' },
      awsproxy: { enabled: true, containerPort: xraySampling, servicePort: xraySampling, protocol: 'TCP' },
    },
    config: {
      receivers: {
        otlp: { protocols: { http: { endpoint: `\${env:MY_POD_IP}:${otlpHttp}` } } },
      },
      extensions: {
        // X-Ray's GetSamplingRules/SamplingTargets, signed with the collector's role, for bank-api's
        // remote sampler (it has no AWS credentials for X-Ray of its own).
        awsproxy: { endpoint: `\${env:MY_POD_IP}:${xraySampling}`, region: env.region },
      },
      exporters: {
        awsxray: { region: env.region, indexed_attributes: [...XRAY_INDEXED_ATTRIBUTES] },
      },
      service: {
        extensions: ['health_check', 'awsproxy'],
        pipelines: {
          traces: {
            receivers: ['otlp'],
            processors: ['memory_limiter', 'tail_sampling', 'batch'],
            exporters: ['awsxray'],
          },
        },
      },
    },
  };
}

/** The merged values for `env` (arrays are replaced, not appended, as Helm does). */
export function traceCollectorValues(env: EnvironmentConfig, dir: string = VALUES_DIR): HelmValues {
  return mergeValues(layeredValues(dir, env.name), derivedValues(env));
}
