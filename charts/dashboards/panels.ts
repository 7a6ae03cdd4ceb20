import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  type DataSourceRef,
  DatasourceVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

// The few panel shapes our dashboards use, on top of Grafana's typed builders: every panel gets a
// description, a unit, the dashboard's data source variable and a place in the grid, so a dashboard
// module only says what to show.

/** Grafana's reference to the dashboard's data source variable (literal text, not a JS template). */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '$' + '{datasource}' };

/** The grid is 24 columns wide. */
const GRID_COLUMNS = 24;

export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{route}}`. */
  readonly legend: string;
}

interface PanelCommon {
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id (see @grafana/grafana-foundation-sdk/units). */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Columns out of 24. @default 12 */
  readonly width?: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
}

export interface TimeseriesPanel extends PanelCommon {
  readonly kind: 'timeseries';
  /** Stack the series (shares of a whole: outcomes, phases). */
  readonly stacked?: boolean;
}

export interface StatPanel extends PanelCommon {
  readonly kind: 'stat';
  /** Values at or above this turn the stat red (counts of things that should be zero). */
  readonly redFrom?: number;
  /** Show the series name (e.g. a phase) rather than its value. */
  readonly showName?: boolean;
}

export interface TablePanel extends PanelCommon {
  readonly kind: 'table';
}

export type PanelSpec = TimeseriesPanel | StatPanel | TablePanel;

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly PanelSpec[];
}

interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Places panels left to right, wrapping to a new row below the tallest panel of the full one. */
export function layout(panels: readonly Pick<PanelSpec, 'width' | 'height'>[]): GridPos[] {
  const positions: GridPos[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const panel of panels) {
    const w = panel.width ?? 12;
    const h = panel.height ?? 8;
    if (w < 1 || w > GRID_COLUMNS) throw new Error(`panel width ${w} is outside 1..${GRID_COLUMNS}`);
    if (x + w > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    positions.push({ x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return positions;
}

function target(query: Query, index: number, instant: boolean): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend)
    .datasource(DATASOURCE);
  return instant ? builder.instant().format(PromQueryFormat.Table) : builder;
}

function timeseriesPanel(spec: TimeseriesPanel): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .fillOpacity(spec.stacked ? 40 : 10);
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  spec.queries.forEach((q, i) => {
    panel.withTarget(target(q, i, false));
  });
  return panel;
}

function statPanel(spec: StatPanel): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(
      spec.redFrom === undefined ? common.BigValueColorMode.None : common.BigValueColorMode.Background,
    )
    .textMode(spec.showName ? common.BigValueTextMode.Name : common.BigValueTextMode.Auto);
  if (spec.redFrom !== undefined) {
    panel.thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: spec.redFrom, color: 'red' },
      ]),
    );
  }
  spec.queries.forEach((q, i) => {
    panel.withTarget(target(q, i, false));
  });
  return panel;
}

function tablePanel(spec: TablePanel): table.PanelBuilder {
  const panel = new table.PanelBuilder().showHeader(true).filterable(true);
  spec.queries.forEach((q, i) => {
    panel.withTarget(target(q, i, true));
  });
  return panel;
}

/** A dashboard with the `datasource` variable every panel and query reads from. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .timezone('utc')
    // Provisioned from Git: edits in the UI would be lost on the next sidecar reload.
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .version(1)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  const positions = layout(spec.panels);
  spec.panels.forEach((panelSpec, index) => {
    const panel =
      panelSpec.kind === 'timeseries'
        ? timeseriesPanel(panelSpec)
        : panelSpec.kind === 'stat'
          ? statPanel(panelSpec)
          : tablePanel(panelSpec);
    panel
      .id(index + 1)
      .title(panelSpec.title)
      .description(panelSpec.description)
      .unit(panelSpec.unit)
      .datasource(DATASOURCE)
      .gridPos(positions[index] as GridPos);
    builder.withPanel(panel);
  });
  return builder.build();
}
