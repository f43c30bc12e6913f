// Panel factories: each panel states its question (title), its answer's unit and how to read
// it (description), and names every series in the legend, so no panel needs a legend hunt.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge'
import * as common from '@grafana/grafana-foundation-sdk/common'
import {
  FieldColorBuilder,
  FieldColorModeId,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DynamicConfigValue,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as table from '@grafana/grafana-foundation-sdk/table'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { DATASOURCE } from './variables.js'

export interface Query {
  readonly expr: string
  /** Grafana legend template, e.g. `{{namespace}}/{{pod}}/{{container}}`. */
  readonly legend: string
}

export interface PanelSpec {
  readonly title: string
  readonly description: string
  /** A Grafana unit id: `bytes`, `percentunit`, `ops`, `short`, `dateTimeAsIso`. */
  readonly unit: string
  readonly queries: readonly Query[]
}

export const CONTAINER_LEGEND = '{{namespace}}/{{pod}}/{{container}}'

/** Green until the first step, then each step's colour from its value up. */
export const steps = (...levels: ReadonlyArray<readonly [number, string]>): Threshold[] => [
  { value: null, color: 'green' },
  ...levels.map(([value, color]) => ({ value, color })),
]

/** Against a limit: 80 % is worth a look, 90 % is where reclaim stalls and kills start. */
export const LIMIT_STEPS = steps([0.8, 'orange'], [0.9, 'red'])

const thresholds = (list: Threshold[]): ThresholdsConfigBuilder => new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list)

const targets = (queries: readonly Query[], kind: 'range' | 'instant' | 'table'): DataqueryBuilder[] =>
  queries.map((q, i) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend)
    if (kind === 'range') return target.range()
    const instant = target.instant()
    return kind === 'table' ? instant.format(PromQueryFormat.Table) : instant
  })

/** How a named series differs from the rest of its chart (the limit line, say). */
export interface SeriesStyle {
  readonly name: string
  readonly color?: string
  /** A reference line: not stacked, not filled, dashed. */
  readonly line?: boolean
}

const styleOverride = (style: SeriesStyle): DynamicConfigValue[] => [
  ...(style.color === undefined ? [] : [{ id: 'color', value: { mode: 'fixed', fixedColor: style.color } }]),
  ...(style.line === true
    ? [
        { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
        { id: 'custom.fillOpacity', value: 0 },
        { id: 'custom.lineWidth', value: 2 },
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      ]
    : []),
]

export interface TimeSeriesSpec extends PanelSpec {
  /** Series add up to a whole (memory by kind). */
  readonly stack?: boolean
  /** Counts per interval, not a level. */
  readonly bars?: boolean
  readonly max?: number
  readonly thresholds?: Threshold[]
  readonly styles?: readonly SeriesStyle[]
}

export function timeSeries(spec: TimeSeriesSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .targets(targets(spec.queries, 'range'))
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max'])
        .sortBy('Max')
        .sortDesc(true),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .drawStyle(spec.bars === true ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(spec.stack === true ? 70 : spec.bars === true ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .stacking(
      new common.StackingConfigBuilder().mode(
        spec.stack === true || spec.bars === true ? common.StackingMode.Normal : common.StackingMode.None,
      ),
    )
  if (spec.max !== undefined) panel.max(spec.max)
  if (spec.thresholds !== undefined) {
    panel
      .thresholds(thresholds(spec.thresholds))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
  }
  for (const style of spec.styles ?? []) panel.overrideByName(style.name, styleOverride(style))
  return panel
}

export interface BarGaugeSpec extends PanelSpec {
  readonly max?: number
  readonly thresholds?: Threshold[]
}

/** The current top few, longest bar first: "which containers, right now?". */
export function barGauge(spec: BarGaugeSpec): bargauge.PanelBuilder {
  const panel = new bargauge.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .targets(targets(spec.queries, 'instant'))
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .showUnfilled(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
    .thresholds(thresholds(spec.thresholds ?? steps()))
    .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.Thresholds))
  if (spec.max !== undefined) panel.max(spec.max)
  return panel
}

export interface StatSpec extends PanelSpec {
  readonly thresholds?: Threshold[]
}

/** One number for the whole selection, with its recent trend behind it. */
export function statPanel(spec: StatSpec): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets(spec.queries, 'range'))
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']))
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .thresholds(thresholds(spec.thresholds ?? steps()))
    .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.Thresholds))
}

export interface TableSpec extends PanelSpec {
  /** Labels shown as columns, in this order; the value comes last. */
  readonly columns: readonly string[]
  /** The value column's heading; rows are sorted by it, largest first. */
  readonly valueColumn: string
}

/** One row per series of a single instant query: labels as columns, the value last. */
export function labelTable(spec: TableSpec): table.PanelBuilder {
  const names = [...spec.columns, 'Value']
  return new table.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets(spec.queries, 'table'))
    .withTransformation({ id: 'filterFieldsByName', options: { include: { names } } })
    .withTransformation({
      id: 'organize',
      options: {
        indexByName: Object.fromEntries(names.map((name, i) => [name, i])),
        renameByName: { Value: spec.valueColumn },
      },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName(spec.valueColumn).desc(true)])
}
