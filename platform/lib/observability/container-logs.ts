// How a container's log line looks once it is in CloudWatch Logs, declared once: the Fluent Bit
// add-on is configured from it (platform/lib/cluster/addons.ts) and the saved queries read it
// (log-queries.ts).
//
// aws-for-fluent-bit tails /var/log/containers/*.log and its kubernetes filter adds the pod's
// metadata under `kubernetes` (namespace_name, pod_name, container_name, ...). With Merge_Log on, a
// line that is JSON (bank-api's pino lines, Argo CD's logrus lines) is parsed and its keys put under
// `mergedLogKey`; with Keep_Log off the raw `log` string is then dropped. CloudWatch Logs Insights
// discovers nested JSON keys with dots, so bank-api's `route` is queried as `data.route`.

export const CONTAINER_LOG_RECORD = {
  /** Key the parsed JSON of a log line is merged under (the filter's Merge_Log_Key). */
  mergedLogKey: 'data',
  /** Key holding the Kubernetes metadata the filter adds. */
  kubernetesKey: 'kubernetes',
} as const;

/** The Insights field name of a key of the application's own JSON log line. */
export const appField = (key: string): string => `${CONTAINER_LOG_RECORD.mergedLogKey}.${key}`;

/** The Insights field name of a Kubernetes metadata key the Fluent Bit filter adds. */
export const kubernetesField = (key: string): string => `${CONTAINER_LOG_RECORD.kubernetesKey}.${key}`;
