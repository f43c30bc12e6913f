// One source, two forms: the PrometheusRule carries exactly the groups of the plain rules
// file. UPDATE_RULES=1 rewrites the PrometheusRule from the rules file; review the diff.
import { readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import t from 'tap'
import { findKubectl, kustomize, requireKubectl } from '../deploy/kubectl.js'
import { isRecord, overlayDir, parseObjects, readKustomization } from '../deploy/manifests.js'
import { PROMETHEUS_RULE_FILE, RULE_COMPONENT_DIR, renderPrometheusRule, rulesFileGroups } from './prometheus-rule.js'
import { RULES_FILE, repoRoot } from './rules-file.js'

const rulesText = readFileSync(RULES_FILE, 'utf8')
if (process.env['UPDATE_RULES'] === '1') writeFileSync(PROMETHEUS_RULE_FILE, renderPrometheusRule(rulesText))

const spec = (o: unknown): unknown => (isRecord(o) && isRecord(o['spec']) ? o['spec']['groups'] : undefined)

t.test('the PrometheusRule holds the same groups as the rules file', async (t) => {
  const [rule, ...rest] = parseObjects(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'), PROMETHEUS_RULE_FILE)
  t.equal(rest.length, 0, 'one object')
  t.match(rule, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'memlens', namespace: 'memlens' } })
  const groups = rulesFileGroups(rulesText)
  t.ok(Array.isArray(groups) && groups.length > 0, 'the rules file has groups')
  t.strictSame(
    spec(rule),
    groups,
    `the groups of ${relative(repoRoot, RULES_FILE)} (if not, run UPDATE_RULES=1 npx tap ${relative(repoRoot, import.meta.filename)})`,
  )
})

t.test('the comparison can fail', async (t) => {
  const edited = rulesText.replace('> 0.4', '> 0.5')
  t.not(edited, rulesText)
  t.notSame(spec(parseObjects(renderPrometheusRule(edited), 'edited')[0]), rulesFileGroups(rulesText))
})

t.test('the component adds only the PrometheusRule, and the operator overlay has it', async (t) => {
  const added = readKustomization(RULE_COMPONENT_DIR)
  t.strictSame(
    added.map((o) => o.kind),
    ['PrometheusRule'],
  )
  t.ok(
    readKustomization(overlayDir).some((o) => o.kind === 'PrometheusRule'),
    'manifests/overlays/prometheus-operator',
  )
})

const kubectl = findKubectl()
const required = requireKubectl() || process.env['CI'] === 'true'
const skip = 'skip' in kubectl && !required ? kubectl.skip : false

t.test('kubectl kustomize renders the component as written', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`kubectl required (CI=true or MEMLENS_REQUIRE_KUBECTL=1): ${kubectl.skip}`)
  // A component is built through a kustomization that uses it, here one that uses only it.
  const dir = t.testdir({ 'kustomization.yaml': `components:\n  - ${relative(t.testdirName, RULE_COMPONENT_DIR)}\n` })
  const built = parseObjects(kustomize(kubectl, dir), 'kubectl kustomize')
  t.strictSame(built, parseObjects(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'), PROMETHEUS_RULE_FILE))
})
