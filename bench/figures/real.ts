// The real cgroup v1 tree of --real: made below our own memory cgroup, always removed, even
// on SIGINT/SIGTERM/SIGHUP or an exit elsewhere; agents still running are killed first.
import { readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { Scope } from '../agent-api.js'
import { killAllAgents } from '../agent-process.js'
import { ms } from '../format.js'
import { collectorFor } from '../in-process.js'
import { log } from '../log.js'
import { step } from '../step.js'
import {
  allDirsUnder,
  buildRealTree,
  ownMemoryCgroup,
  planRealTree,
  realUnavailable,
  removeRealTree,
  removeStale,
  staleRuns,
  V1_MEMORY_ROOT,
  type RealTree,
  type RemoveResult,
} from '../tree/real-tree.js'

/** The real tree while it exists, for the signal handlers and the exit hook. */
let active: RealTree | undefined

export async function makeRealTree(
  errors: string[],
  key: string,
  pods: number,
  containersPerPod: number,
  keep: boolean,
): Promise<RealTree | undefined> {
  const why = realUnavailable()
  if (why !== undefined) {
    errors.push(`${key} real cgroup tree: ${why}`)
    return undefined
  }
  if (keep) log(`${key}: --keep does not apply to --real; the cgroups are always removed`)
  for (const pid of staleRuns()) {
    const rm = removeStale(pid)
    log(
      `${key}: removed what run ${pid} (killed) left: ${rm.removed} cgroups at ${rm.base ?? 'n/a'}, its scratch files` +
        `${rm.agentsKilled.length > 0 ? ` and its orphaned agent (pid ${rm.agentsKilled.join(', ')})` : ''}` +
        (rm.failed.length > 0 ? `; could not remove ${rm.failed.join(', ')}` : ''),
    )
  }
  const tree = planRealTree({ pods, containersPerPod })
  active = tree
  const built = await step(errors, key, 'make real cgroups', () => buildRealTree(tree))
  if (built === undefined) {
    cleanupReal()
    return undefined
  }
  const t = tree.timings
  log(
    `${key}: ${tree.created.length} memory cgroups under ${tree.parent}: mkdir ${ms(t.mkdirMs)}, ` +
      `limits ${ms(t.limitsMs)}, ${tree.writerDirs.length} dd writers ${ms(t.writersMs)}`,
  )
  return tree
}

/** Stops agents still running, then removes the real tree; synchronous, idempotent. */
export function cleanupReal(): RemoveResult | undefined {
  const tree = active
  if (tree === undefined) return undefined
  // The agents live in our own cgroup, not in the tree, but must not outlive the bench.
  killAllAgents()
  const rm = removeRealTree(tree)
  active = undefined
  log(
    `real tree removed: ${rm.removed} cgroups rmdir'ed in ${ms(rm.ms)}, ${rm.retries} EBUSY retries` +
      (rm.failed.length > 0 ? `; NOT REMOVED: ${rm.failed.join(', ')}` : ''),
  )
  return rm
}

export function removeRealTreeOnExit(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the agents and removing the real cgroup tree`)
      cleanupReal()
      process.exit(128 + (os.constants.signals[sig] ?? 1))
    })
  }
  // The last resort: an uncaught error or process.exit() elsewhere.
  process.on('exit', () => cleanupReal())
}

export interface Discovery {
  readonly scope: Scope
  readonly exact: boolean
  readonly kubernetes: {
    readonly pods: number
    readonly containers: number
    readonly problems: number
    readonly firstProblems: readonly string[]
  }
  readonly all?: { readonly cgroups: number; readonly expected: number }
}

/**
 * The agent must discover exactly the planned pods and containers under --cgroup-parent with
 * the kubernetes scope. Should it not (the kubepods root below a prefix it does not accept),
 * the bench falls back to scope 'all' over every directory below the parent, the parent
 * included, and hands the C floor that same list.
 */
export async function checkRealDiscovery(tree: RealTree): Promise<Discovery> {
  const id = (dir: string): string => dir.slice(tree.hierarchyRoot.length)
  const want = new Map<string, Readonly<Record<string, string>>>()
  for (const p of tree.expected) {
    want.set(id(p.podDir), { kind: 'pod', podUid: p.podUid, qos: p.qos })
    for (const c of p.containerIds) want.set(id(join(p.podDir, c)), { kind: 'container', podUid: p.podUid, qos: p.qos, containerId: c })
  }
  const snap = await collectorFor(tree, 'kubernetes').collect()
  const problems: string[] = []
  const seen = new Set<string>()
  for (const s of [...snap.pods, ...snap.containers]) {
    const w = want.get(s.ref.id)
    if (w === undefined) {
      problems.push(`unexpected ${s.ref.kind} ${s.ref.id}`)
      continue
    }
    seen.add(s.ref.id)
    const ref: Readonly<Record<string, unknown>> = { ...s.ref }
    for (const [k, v] of Object.entries(w)) if (ref[k] !== v) problems.push(`${s.ref.id}: ${k} is ${String(ref[k])}, expected ${v}`)
  }
  for (const k of want.keys()) if (!seen.has(k)) problems.push(`not discovered: ${k}`)
  const kubernetes = {
    pods: snap.pods.length,
    containers: snap.containers.length,
    problems: problems.length,
    firstProblems: problems.slice(0, 5),
  }
  if (problems.length === 0) return { scope: 'kubernetes', exact: true, kubernetes }

  // Fallback: every cgroup directory below the parent, for the agent and the C floor alike.
  tree.scope = 'all'
  tree.cgroupDirs = allDirsUnder(tree.base)
  tree.expectedFound = { pods: 0, containers: tree.cgroupDirs.length }
  writeFileSync(tree.listFile, tree.cgroupDirs.join('\n') + '\n')
  const all = await collectorFor(tree, 'all').collect()
  const got = new Set([...all.pods, ...all.containers].map((s) => s.ref.id))
  const exact = got.size === tree.cgroupDirs.length && tree.cgroupDirs.every((d) => got.has(id(d)))
  log(
    `kubernetes scope under ${tree.parent} did not find the tree (${problems.length} problems, e.g. ${problems[0]}); falling back to scope 'all'`,
  )
  return { scope: 'all', exact, kubernetes, all: { cgroups: got.size, expected: tree.cgroupDirs.length } }
}

/** The cgroups below our own memory cgroup now (after cleanup: should be none of ours). */
export function ownCgroupChildren(): { readonly own: string | undefined; readonly children: readonly string[] } {
  const own = ownMemoryCgroup()
  if (own === undefined) return { own: undefined, children: [] }
  try {
    const dir = V1_MEMORY_ROOT + own
    return {
      own,
      children: readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    }
  } catch {
    return { own, children: [] }
  }
}
