import { describe, expect, it } from 'vitest';
import {
  bootstrapObjects,
  dashboardQueries,
  workloadObjects,
} from '../../../scripts/local/monitoring-sources.js';
import { controllerSeries, panelSource } from './support/panels.js';

// Every panel query is checked where its series are really exported: bank-api's in the standalone
// live stack (rules-and-panels.test.ts), the Argo controllers' against local:up
// (test/local-platform/monitoring.test.ts), kube-state-metrics' nowhere (listed). This pins the split.

describe('panel sources', () => {
  it('sends controller series to local:up and keeps bank-api series in the live stack', () => {
    expect(panelSource('sum(rollout_info_replicas_available{namespace="bank",name="bank-api"})')).toBe(
      'controllers',
    );
    expect(panelSource('count(argocd_app_info{sync_status!="Synced"})')).toBe('controllers');
    expect(panelSource('sum(analysis_run_metric_phase{phase="Failed"})')).toBe('controllers');
    expect(panelSource('sum(rate(http_request_duration_seconds_count{job="bank-api"}[5m]))')).toBe(
      'bank-api',
    );
    expect(panelSource('sum(kube_horizontalpodautoscaler_status_desired_replicas)')).toBe(
      'kube-state-metrics',
    );
    expect(controllerSeries('rollout_info{name="x"} * on() group_left rollout_info{}')).toEqual([
      'rollout_info',
    ]);
  });

  for (const env of ['dev', 'prod']) {
    it(`classifies every panel query of manifests/${env}, each dashboard's own source included`, () => {
      const panels = dashboardQueries([...workloadObjects(env), ...bootstrapObjects(env)]);
      const by = (source: string) => panels.filter((p) => panelSource(p.expr) === source);
      expect(by('bank-api').length).toBeGreaterThan(0);
      expect(new Set(by('controllers').map((p) => p.dashboard)).size).toBeGreaterThanOrEqual(3);
      expect(by('bank-api').length + by('controllers').length + by('kube-state-metrics').length).toBe(
        panels.length,
      );
    });
  }
});
