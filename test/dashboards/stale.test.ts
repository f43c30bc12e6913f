// The committed JSON is what dashboards/src builds today, and the component ships the same
// bytes. When this fails, run `npm run dashboards` and commit the result.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { isRecord } from '../deploy/manifests.js'
import { dashboards, toJson } from '../../dashboards/src/render.js'
import { componentDir, dashboardsDir } from './dashboard-json.js'

const built = dashboards()
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()

t.test('every committed dashboard is regenerated unchanged', async (t) => {
  t.strictSame(jsonFiles(dashboardsDir), built.map((d) => d.file).sort(), 'no file missing, none left over')
  for (const { file, dashboard } of built) {
    const committed = readFileSync(join(dashboardsDir, file), 'utf8')
    const fresh = toJson(dashboard)
    t.strictSame(JSON.parse(committed), JSON.parse(fresh), `${file}: npm run dashboards`)
    t.equal(committed, fresh, `${file}: byte for byte`)
  }
})

t.test('the component holds copies of exactly those files', async (t) => {
  t.strictSame(jsonFiles(componentDir), jsonFiles(dashboardsDir))
  for (const file of jsonFiles(dashboardsDir)) {
    t.equal(readFileSync(join(componentDir, file), 'utf8'), readFileSync(join(dashboardsDir, file), 'utf8'), `${file}: npm run dashboards`)
  }
})

t.test('the component generates one ConfigMap per dashboard', async (t) => {
  const kustomization: unknown = load(readFileSync(join(componentDir, 'kustomization.yaml'), 'utf8'))
  const generators =
    isRecord(kustomization) && Array.isArray(kustomization['configMapGenerator'])
      ? kustomization['configMapGenerator'].filter(isRecord)
      : []
  t.strictSame(generators.flatMap((g) => (Array.isArray(g['files']) ? g['files'] : [])).sort(), jsonFiles(dashboardsDir))
})

// kubectl apply (client side) keeps the whole object in an annotation limited to 256 KiB;
// a larger dashboard would need --server-side to install.
t.test("each dashboard fits kubectl apply's last-applied annotation", async (t) => {
  for (const { file, dashboard } of built) {
    t.ok(Buffer.byteLength(toJson(dashboard)) < 200 * 1024, `${file} under 200 KiB`)
  }
})
