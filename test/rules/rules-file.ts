// The rules file (rules/memlens.rules.yaml) read as typed groups, so tests can walk every rule.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { load } from 'js-yaml'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const RULES_FILE = `${repoRoot}rules/memlens.rules.yaml`
export const RUNBOOKS_DIR = `${repoRoot}docs/runbooks`
/** Every runbook_url starts with this; docs/alerts.md tells a fork what to rewrite. */
export const RUNBOOK_BASE_URL = 'https://github.com/memlens/memlens/blob/main/docs/runbooks/'

type Strings = Readonly<Record<string, string>>

export interface RecordingRule {
  readonly record: string
  readonly expr: string
  readonly labels?: Strings
}

export interface AlertingRule {
  readonly alert: string
  readonly expr: string
  readonly for?: string
  readonly labels: Strings
  readonly annotations: Strings
}

export type Rule = RecordingRule | AlertingRule

export interface RuleGroup {
  readonly name: string
  readonly interval?: string
  readonly rules: readonly Rule[]
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const isStrings = (v: unknown): v is Strings => isRecord(v) && Object.values(v).every((s) => typeof s === 'string')

function toRule(v: unknown, where: string): Rule {
  if (!isRecord(v) || typeof v['expr'] !== 'string') throw new Error(`${where}: no expr`)
  if (typeof v['record'] === 'string') {
    if (v['labels'] !== undefined && !isStrings(v['labels'])) throw new Error(`${where}: labels are not strings`)
    return v['labels'] === undefined
      ? { record: v['record'], expr: v['expr'] }
      : { record: v['record'], expr: v['expr'], labels: v['labels'] }
  }
  if (typeof v['alert'] !== 'string') throw new Error(`${where}: neither record nor alert`)
  const labels = v['labels'] ?? {}
  const annotations = v['annotations'] ?? {}
  if (!isStrings(labels) || !isStrings(annotations)) throw new Error(`${where}: labels or annotations are not strings`)
  if (v['for'] !== undefined && typeof v['for'] !== 'string') throw new Error(`${where}: for is not a duration string`)
  const rule = { alert: v['alert'], expr: v['expr'], labels, annotations }
  return typeof v['for'] === 'string' ? { ...rule, for: v['for'] } : rule
}

/** The `groups:` list of a Prometheus rules document, or of a PrometheusRule's spec. */
export function toGroups(groups: unknown, source: string): RuleGroup[] {
  if (!Array.isArray(groups)) throw new Error(`${source}: groups is not a list`)
  return groups.map((g: unknown, i) => {
    const where = `${source} group ${i + 1}`
    if (!isRecord(g) || typeof g['name'] !== 'string' || !Array.isArray(g['rules'])) throw new Error(`${where}: no name or rules`)
    const name = g['name']
    const rules = g['rules'].map((r: unknown, j) => toRule(r, `${where} (${name}) rule ${j + 1}`))
    return typeof g['interval'] === 'string' ? { name: g['name'], interval: g['interval'], rules } : { name: g['name'], rules }
  })
}

export function loadRulesText(text: string, source: string): RuleGroup[] {
  const doc = load(text, { filename: source })
  if (!isRecord(doc)) throw new Error(`${source}: not a mapping`)
  return toGroups(doc['groups'], source)
}

export function readRules(file = RULES_FILE): RuleGroup[] {
  return loadRulesText(readFileSync(file, 'utf8'), file)
}

export const isAlert = (r: Rule): r is AlertingRule => 'alert' in r

export const ruleName = (r: Rule): string => ('alert' in r ? r.alert : r.record)
