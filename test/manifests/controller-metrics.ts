// Series the dashboards read from the Argo Rollouts and Argo CD controllers, by name, with where each
// name comes from. They cannot be read from a running process in these unit tests (the local
// platform's live test scrapes the real controllers); the names were checked in the sources:
// - Argo Rollouts v1.10.1 (the version the local platform builds): controller/metrics/prommetrics.go
//   of the Go module github.com/argoproj/argo-rollouts@v1.10.1 (rollout_info carries namespace, name,
//   strategy, traffic_router, phase; analysis_run_metric_phase carries metric, type, dry_run, phase;
//   rollout_events_total carries type and reason, reasons from utils/conditions/conditions.go).
// - Argo CD v3.2.11 (test/cluster/argocd/go.mod): controller/metrics/metrics.go and
//   docs/operator-manual/metrics.md of github.com/argoproj/argo-cd (argocd_app_info carries
//   sync_status, health_status and operation; argocd_app_sync_total carries phase).

export type ControllerSource = 'argo-rollouts' | 'argo-cd';

/** The Go module and version each controller's names were read from (controller-metrics.test.ts). */
export const CONTROLLER_SOURCES: Readonly<Record<ControllerSource, { module: string; version: string }>> = {
  'argo-rollouts': { module: 'github.com/argoproj/argo-rollouts', version: 'v1.10.1' },
  'argo-cd': { module: 'github.com/argoproj/argo-cd/v3', version: 'v3.2.11' },
};

export const CONTROLLER_METRICS: Readonly<Record<string, ControllerSource>> = {
  rollout_info: 'argo-rollouts',
  rollout_info_replicas_available: 'argo-rollouts',
  rollout_info_replicas_unavailable: 'argo-rollouts',
  rollout_info_replicas_desired: 'argo-rollouts',
  rollout_info_replicas_updated: 'argo-rollouts',
  rollout_events_total: 'argo-rollouts',
  rollout_reconcile_error: 'argo-rollouts',
  analysis_run_info: 'argo-rollouts',
  analysis_run_metric_phase: 'argo-rollouts',
  argocd_app_info: 'argo-cd',
  argocd_app_sync_total: 'argo-cd',
  argocd_app_reconcile_bucket: 'argo-cd',
};
