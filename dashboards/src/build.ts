// `npm run dashboards`: writes each dashboard to dashboards/ and a copy next to the kustomize
// component, whose configMapGenerator may only read files inside its own directory.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { OUTPUT_DIRS, dashboards, toJson } from './render.js'

// npm runs scripts from the package root; refuse to write anywhere else.
const root = process.cwd()
for (const dir of OUTPUT_DIRS) {
  if (!existsSync(join(root, dir))) {
    throw new Error(`${join(root, dir)} does not exist: run \`npm run dashboards\` from the repository root`)
  }
}
for (const { file, dashboard } of dashboards()) {
  const json = toJson(dashboard)
  for (const dir of OUTPUT_DIRS) writeFileSync(join(root, dir, file), json)
  console.log(`${file}: ${dashboard.panels?.length ?? 0} panels, ${json.length} bytes`)
}
