// Rows and panels in reading order. Grafana keeps the panels of an expanded row *after* the
// row in the dashboard's flat panel list (only a collapsed row nests them), so rows are added
// empty and their panels follow; the SDK's builder places each panel on the 24-column grid.
import { type DashboardBuilder, RowBuilder, type Panel } from '@grafana/grafana-foundation-sdk/dashboard'
import type { Builder } from '@grafana/grafana-foundation-sdk/cog'

/** What every panel builder of the SDK offers. */
export interface PanelBuilderLike extends Builder<Panel> {
  id(id: number): this
  height(h: number): this
  span(w: number): this
}

export interface Placed {
  readonly panel: PanelBuilderLike
  /** Grid columns out of 24. */
  readonly w: number
  /** Grid rows (30 px each). */
  readonly h: number
}

export interface Row {
  readonly title: string
  readonly panels: readonly Placed[]
}

/** Adds the rows to the dashboard, numbering rows and panels 1, 2, 3... in reading order. */
export function addRows(dashboard: DashboardBuilder, rows: readonly Row[]): DashboardBuilder {
  let id = 0
  for (const row of rows) {
    dashboard.withRow(new RowBuilder(row.title).id(++id))
    for (const { panel, w, h } of row.panels) dashboard.withPanel(panel.id(++id).span(w).height(h))
  }
  return dashboard
}

/** Shorthand for a placed panel. */
export const place = (panel: PanelBuilderLike, w: number, h: number): Placed => ({ panel, w, h })
