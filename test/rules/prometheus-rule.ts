// The PrometheusRule of manifests/components/prometheus-rules, made from the plain rules file:
// the same groups, wrapped for the Prometheus Operator.
import { dump, load } from 'js-yaml'
import { ruleComponentDir } from '../deploy/manifests.js'

export const RULE_COMPONENT_DIR = ruleComponentDir
export const PROMETHEUS_RULE_FILE = `${RULE_COMPONENT_DIR}/prometheusrule.yaml`

const HEADER = `# Generated from rules/memlens.rules.yaml, which explains each rule: edit that file, then run
#   UPDATE_RULES=1 npx tap test/rules/prometheus-rule.test.ts
# test/rules/prometheus-rule.test.ts fails when the two differ.
`

/** The `groups` of a plain rules file, as parsed YAML. */
export function rulesFileGroups(text: string): unknown {
  const doc = load(text)
  return typeof doc === 'object' && doc !== null && 'groups' in doc ? doc.groups : undefined
}

export function renderPrometheusRule(rulesText: string): string {
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'memlens',
      namespace: 'memlens',
      labels: {
        'app.kubernetes.io/name': 'memlens',
        'app.kubernetes.io/instance': 'memlens',
        'app.kubernetes.io/component': 'rules',
        'app.kubernetes.io/part-of': 'memlens',
      },
    },
    spec: { groups: rulesFileGroups(rulesText) },
  }
  return HEADER + dump(object, { lineWidth: -1, noRefs: true, quotingType: "'" })
}
