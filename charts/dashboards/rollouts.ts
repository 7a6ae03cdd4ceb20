import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type PanelSpec } from './panels.js';
import { growthOver, orZero, RATE_INTERVAL as ri } from './promql.js';

// A release of one Rollout, for whoever ships or is paged during a canary: where the rollout is,
// how much of it runs the new version, what the analysis decided. Series come from the Argo Rollouts
// controller's own metrics endpoint. The controller exports no traffic weight: the canary's share of
// pods (updated / desired replicas) stands in for it. With replica-weighted steps that share is the
// weight; with ALB traffic routing the controller scales the canary to the step's weight too.

export interface RolloutsDashboardOptions {
  readonly namespace: string;
  /** The Rollout; its AnalysisRuns are named `<rollout>-<pod hash>-<revision>[-<step>]`. */
  readonly rolloutName: string;
  readonly environment: string;
}

export function rolloutsDashboard(o: RolloutsDashboardOptions): Dashboard {
  const rollout = `{namespace="${o.namespace}",name="${o.rolloutName}"}`;
  const runs = (extra = '') =>
    `{namespace="${o.namespace}",name=~"${o.rolloutName}-.+"${extra ? `,${extra}` : ''}}`;
  const replicas = (what: string) => `sum(rollout_info_replicas_${what}${rollout})`;
  const canaryShare = `${replicas('updated')} / ${replicas('desired')}`;
  const events24h = (reason: string) =>
    growthOver(
      'rollout_events_total',
      `namespace="${o.namespace}",name="${o.rolloutName}",reason="${reason}"`,
      '24h',
    );

  const panels: PanelSpec[] = [
    {
      kind: 'stat',
      title: 'Phase',
      description:
        'Where the rollout is: Completed (all on the new revision), Progressing, Paused (waiting at a pause step), Abort (analysis failed, traffic back on stable), Error, Timeout or InvalidSpec.',
      unit: 'none',
      width: 6,
      height: 4,
      showName: true,
      queries: [{ expr: `max by (phase) (rollout_info${rollout})`, legend: '{{phase}}' }],
    },
    {
      kind: 'stat',
      title: 'Canary share of pods',
      description:
        'Replicas on the new revision over desired replicas: 100% when no release is in progress, the step weight during a canary.',
      unit: 'percentunit',
      width: 6,
      height: 4,
      queries: [{ expr: canaryShare, legend: 'canary' }],
    },
    {
      kind: 'stat',
      title: 'Failed analysis runs',
      description:
        'AnalysisRuns of this Rollout the controller still keeps that ended Failed or Error: each one aborted a release.',
      unit: 'short',
      width: 6,
      height: 4,
      redFrom: 1,
      queries: [
        { expr: orZero(`count(analysis_run_info${runs('phase=~"Failed|Error"')})`), legend: 'failed' },
      ],
    },
    {
      kind: 'stat',
      title: 'Aborted releases (24h)',
      description:
        'Times the controller aborted a release of this Rollout in the last 24 hours and sent all traffic back to stable.',
      unit: 'short',
      width: 6,
      height: 4,
      redFrom: 1,
      queries: [{ expr: events24h('RolloutAborted'), legend: 'aborted' }],
    },
    {
      kind: 'timeseries',
      title: 'Canary share over time',
      description:
        'Replicas on the new revision over desired replicas: the steps of each release (10%, 25%, 50%, 100%) and any drop back to 0% on abort.',
      unit: 'percentunit',
      queries: [{ expr: canaryShare, legend: 'canary share' }],
    },
    {
      kind: 'timeseries',
      title: 'Replicas',
      description: 'Desired, updated (new revision), available and unavailable replicas of the Rollout.',
      unit: 'short',
      queries: ['desired', 'updated', 'available', 'unavailable'].map((what) => ({
        expr: replicas(what),
        legend: what,
      })),
    },
    {
      kind: 'timeseries',
      title: 'Analysis runs by phase',
      description:
        'AnalysisRuns of this Rollout the controller keeps, by phase: Running during a canary step, then Successful, Failed, Error or Inconclusive.',
      unit: 'short',
      stacked: true,
      queries: [{ expr: orZero(`count by (phase) (analysis_run_info${runs()})`), legend: '{{phase}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Analysis metric results',
      description:
        'Each analysis metric (the canary error ratio and latency from the SLO definitions) by its last phase in the kept AnalysisRuns.',
      unit: 'short',
      queries: [
        {
          expr: orZero(`count by (metric, phase) (analysis_run_metric_phase${runs()} == 1)`),
          legend: '{{metric}} {{phase}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Rollout events (1h)',
      description:
        'Controller events for this Rollout in the last hour by reason: RolloutUpdated, RolloutStepCompleted, RolloutPaused, AnalysisRunFailed, RolloutAborted, RolloutCompleted.',
      unit: 'short',
      queries: [
        {
          expr: orZero(`sum by (reason) (increase(rollout_events_total${rollout}[1h]))`),
          legend: '{{reason}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Controller reconcile errors',
      description:
        'Errors per second while the Argo Rollouts controller reconciles this Rollout (0 when healthy).',
      unit: 'ops',
      queries: [{ expr: orZero(`sum(rate(rollout_reconcile_error${rollout}[${ri}]))`), legend: 'errors' }],
    },
  ];

  return buildDashboard({
    uid: `bank-rollouts-${o.environment}`,
    title: `Rollouts: ${o.rolloutName} (${o.environment})`,
    description: `Progressive delivery of ${o.rolloutName} in ${o.environment}, for whoever ships or is on call during a release: rollout phase, canary share, analysis runs and their metrics, aborts (Argo Rollouts controller metrics).`,
    tags: ['bank', 'rollouts', o.environment],
    panels,
  });
}
