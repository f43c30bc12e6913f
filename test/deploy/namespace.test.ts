// The namespace's Pod Security labels: enforce only what the agent needs (privileged),
// and warn and audit at restricted so that every exception is named on each apply.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Namespace } from 'kubernetes-models/v1'
import { manifestsDir, only, readKustomization, repoRoot } from './manifests.js'

const ns = only(readKustomization(manifestsDir), 'v1', 'Namespace')
if (!Namespace.is(ns)) throw new Error('not a Namespace')

const PSS = 'pod-security.kubernetes.io/'
const psaLabels = (labels: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith(PSS)))

t.test('enforce privileged; warn and audit restricted; every version explicit', async (t) => {
  t.strictSame(psaLabels(ns.metadata?.labels ?? {}), {
    [`${PSS}enforce`]: 'privileged',
    [`${PSS}enforce-version`]: 'latest',
    [`${PSS}warn`]: 'restricted',
    [`${PSS}warn-version`]: 'latest',
    [`${PSS}audit`]: 'restricted',
    [`${PSS}audit-version`]: 'latest',
  })
})

t.test('docs/security.md explains the labels', async (t) => {
  const doc = readFileSync(join(repoRoot, 'docs', 'security.md'), 'utf8')
  for (const mode of ['enforce', 'warn', 'audit']) t.match(doc, `${PSS}${mode}`)
})
