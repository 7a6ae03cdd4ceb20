import { describe, expect, it } from 'vitest';
import { dashboardExpressions } from '../../charts/dashboards/expressions.js';
import { layout } from '../../charts/dashboards/panels.js';
import { metricNames } from './promql.js';
import { ofKind, renderAll } from './rendered.js';

// The rendered dashboards as Grafana's sidecar would load them: which ConfigMaps, and that every
// dashboard and panel is complete (description, unit, query on the data source variable) and laid
// out without overlaps. Queries are parsed here; their metric names are checked in metrics.test.ts
// and their results against a real Prometheus engine in dashboard-queries.test.ts.

interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { type?: string; uid?: string };
}
interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly gridPos?: { x: number; y: number; w: number; h: number };
  readonly fieldConfig?: { defaults?: { unit?: string } };
  readonly targets?: Target[];
}
interface DashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly description?: string;
  readonly editable?: boolean;
  readonly templating?: { list?: { name?: string; type?: string; query?: string }[] };
  readonly panels?: Panel[];
}

const DATASOURCE_UID = '$' + '{datasource}';
const { environments, objects } = renderAll();
const configMaps = ofKind(objects, 'ConfigMap').filter(
  (c) => c.object.metadata.labels?.grafana_dashboard === '1',
);
const dashboards = configMaps.flatMap((c) =>
  Object.entries(c.object.data as Record<string, string>).map(([file, json]) => ({
    env: c.env.name,
    configMap: c.object.metadata.name,
    file,
    json,
    dashboard: JSON.parse(json) as DashboardJson,
  })),
);
const panelsOf = (d: DashboardJson) => d.panels ?? [];
const label = (d: (typeof dashboards)[number], p?: Panel) => `${d.env}/${d.file}${p ? ` "${p.title}"` : ''}`;

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  if (!a || !b) return false;
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('Grafana dashboards', () => {
  it('each environment ships the service, ledger, rollouts and Argo CD dashboards to the sidecar', () => {
    for (const env of environments) {
      const names = configMaps.filter((c) => c.env.name === env.name).map((c) => c.object.metadata.name);
      expect(names.sort()).toEqual([
        'argocd-dashboard',
        'bank-api-dashboard',
        'bank-api-ledger-dashboard',
        'bank-api-rollouts-dashboard',
      ]);
    }
    for (const c of configMaps) {
      expect(c.object.metadata.namespace).toBe('monitoring');
      expect(Object.keys(c.object.data as object)).toHaveLength(1);
    }
  });

  it('have unique uids in an environment, a title, a description and the datasource variable', () => {
    for (const env of environments) {
      const uids = dashboards.filter((d) => d.env === env.name).map((d) => d.dashboard.uid);
      expect(new Set(uids).size, env.name).toBe(uids.length);
    }
    for (const d of dashboards) {
      const { dashboard } = d;
      expect(dashboard.uid, label(d)).toMatch(new RegExp(`-${d.env}$`));
      expect(dashboard.title, label(d)).toBeTruthy();
      expect(dashboard.description?.length ?? 0, label(d)).toBeGreaterThan(40);
      expect(dashboard.editable, label(d)).toBe(false);
      expect(dashboard.templating?.list, label(d)).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      expect(panelsOf(dashboard).length, label(d)).toBeGreaterThanOrEqual(6);
    }
  });

  it('every panel has a unique id, a description, a unit and queries on the datasource variable', () => {
    for (const d of dashboards) {
      const panels = panelsOf(d.dashboard);
      expect(new Set(panels.map((p) => p.id)).size, label(d)).toBe(panels.length);
      for (const p of panels) {
        expect(p.title, label(d, p)).toBeTruthy();
        expect(p.description?.length ?? 0, label(d, p)).toBeGreaterThan(20);
        expect(p.fieldConfig?.defaults?.unit, label(d, p)).toBeTruthy();
        expect(p.datasource?.uid, label(d, p)).toBe(DATASOURCE_UID);
        const targets = p.targets ?? [];
        expect(targets.length, label(d, p)).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size, label(d, p)).toBe(targets.length);
        for (const t of targets) {
          expect(t.expr, label(d, p)).toBeTruthy();
          expect(t.datasource?.uid, label(d, p)).toBe(DATASOURCE_UID);
        }
      }
    }
  });

  it('lays panels inside the 24-column grid without overlaps', () => {
    for (const d of dashboards) {
      const panels = panelsOf(d.dashboard);
      for (const p of panels) {
        const g = p.gridPos;
        expect(g, label(d, p)).toBeDefined();
        if (!g) continue;
        expect(g.x >= 0 && g.y >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, label(d, p)).toBe(true);
      }
      panels.forEach((a, i) => {
        for (const b of panels.slice(i + 1))
          expect(overlaps(a.gridPos, b.gridPos), `${label(d, a)} / ${b.title}`).toBe(false);
      });
    }
  });

  it('every query parses as PromQL and selects at least one metric', () => {
    const expressions = dashboards.flatMap((d) => dashboardExpressions(d.dashboard));
    expect(expressions.length).toBeGreaterThan(50);
    for (const expr of expressions) expect(metricNames(expr).length, expr).toBeGreaterThan(0);
  });

  it('the overlap check catches panels placed on top of each other', () => {
    expect(overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 6, y: 4, w: 12, h: 8 })).toBe(true);
    expect(overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 12, y: 0, w: 12, h: 8 })).toBe(false);
  });
});

describe('layout', () => {
  it('wraps to a new row below the tallest panel of the full row', () => {
    expect(layout([{ width: 6, height: 4 }, { width: 12, height: 8 }, { width: 12 }, {}])).toEqual([
      { x: 0, y: 0, w: 6, h: 4 },
      { x: 6, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 12, h: 8 },
      { x: 12, y: 8, w: 12, h: 8 },
    ]);
  });

  it('rejects a panel wider than the grid', () => {
    expect(() => layout([{ width: 25 }])).toThrow(/panel width 25 is outside 1..24/);
  });
});
