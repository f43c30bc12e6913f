// The client library's code is loaded through client.ts alone, without its generated API
// clients and models (~70 MB of resident memory), and its KubeConfig still works.
import { execFile } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

const root = join(import.meta.dirname, '..', '..')

/** Runs a module body in a fresh node, with the same TypeScript loader as this test; returns its JSON output. */
async function child(body: string): Promise<Record<string, unknown>> {
  const script = `${body}\nconst status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');\nconsole.log(JSON.stringify({ ...result, rssKib: Number(/VmRSS:\\s+(\\d+)/.exec(status)?.[1]) }))`
  const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { cwd: root })
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
}

t.test('no module of the agent imports the library index: only types, and small deep modules', async (t) => {
  const dir = join(root, 'agent')
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'))
  const offenders: string[] = []
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8')
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'(@kubernetes\/client-node[^']*)'/gm)) {
      const [, typeOnly, specifier] = m
      if (typeOnly === undefined && specifier !== '@kubernetes/client-node/dist/types.js') offenders.push(`${file}: ${m[0]}`)
    }
  }
  t.same(offenders, [], 'a value import of the index loads every generated model; use client.ts or import type')
})

t.test('client.ts loads KubeConfig without the generated models', async (t) => {
  const client = pathToFileURL(join(root, 'agent', 'kube', 'client.ts')).href
  const bare = await child('const result = {}')
  const slim = await child(`
    const { KubeConfig } = await import(${JSON.stringify(client)})
    const kc = new KubeConfig()
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u', token: 'secret' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' })
    const options = {}
    await kc.applyToHTTPSOptions(options)
    const result = { authorization: options.headers?.Authorization, agent: options.agent?.constructor.name }`)
  t.same([slim['authorization'], slim['agent']], ['Bearer secret', 'Agent'], 'credentials and the TLS agent, as the library makes them')
  const addedMib = (Number(slim['rssKib']) - Number(bare['rssKib'])) / 1024
  // Loose: the whole library adds 60-75 MB (185 MB under this test's TypeScript loader), this
  // path 15-25 MB; it fails only if the generated models come back.
  t.ok(addedMib < 45, `resident memory added by the library's config module: ${Math.round(addedMib)} MB, under 45 MB`)
})
