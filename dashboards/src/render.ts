// The dashboards as the files they are committed as: `npm run dashboards` writes them, and
// test/dashboards compares the committed files with this output.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { overview } from './overview/dashboard.js'
import { podDashboard } from './pod/dashboard.js'

/**
 * Where each file is written, relative to the repository root. The component needs its own
 * copy: kustomize's load restrictor refuses files outside the kustomization's directory.
 */
export const OUTPUT_DIRS = ['dashboards', 'manifests/components/grafana-dashboards'] as const

export interface DashboardFile {
  /** File name under dashboards/ and manifests/components/grafana-dashboards/. */
  readonly file: string
  readonly dashboard: Dashboard
}

export const dashboards = (): DashboardFile[] => [
  { file: 'memlens-overview.json', dashboard: overview() },
  { file: 'memlens-pod.json', dashboard: podDashboard() },
]

/** Two-space JSON with a final newline, the way Grafana's "Export" writes it. */
export const toJson = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`
