// What both dashboards share: tags, time, refresh, shared crosshair, variables, the OOM
// annotation and a link to every other memlens dashboard.
import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard'
import type { Builder } from '@grafana/grafana-foundation-sdk/cog'
import { oomKills } from './annotations.js'
import { variables } from './variables.js'

export const TAG = 'memlens'

export interface DashboardSpec {
  /** Stable across regenerations: links, bookmarks and provisioning refer to it. */
  readonly uid: string
  readonly title: string
  readonly description: string
  readonly scope: 'overview' | 'pod'
}

/**
 * The SDK's defaults put links and annotation toggles into Grafana 12's controls menu, out of
 * sight; without `placement` every Grafana version shows them above the panels.
 */
const inPlainSight = <T extends { placement?: unknown }>(builder: Builder<T>): Builder<T> => ({
  build: () => {
    const built = builder.build()
    delete built.placement
    return built
  },
})

export const memlensDashboard = (spec: DashboardSpec): DashboardBuilder =>
  new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG])
    .editable()
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .variables(variables(spec.scope))
    .annotation(inPlainSight(oomKills()))
    .link(
      inPlainSight(
        new DashboardLinkBuilder('memlens')
          .type(DashboardLinkType.Dashboards)
          .tags([TAG])
          .asDropdown(true)
          .includeVars(true)
          .keepTime(true),
      ),
    )
