// Generates a fake cgroup mount for the benchmark: kubelet's systemd driver with containerd,
// N pods over the three QoS classes, C container cgroups per pod, every cgroup directory
// holding a varied copy of a real kernel capture (cgroup-writer.ts).
//
//   v1: ROOT/memory/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/
//         cri-containerd-<64hex>.scope/memory.stat ...
//   v2: ROOT/cgroup.controllers, ROOT/kubepods.slice/... (same names, no controller folder)
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { CgroupVersion, QosClass } from '../agent-api.js'
import { CgroupWriter } from './cgroup-writer.js'
import { dashedUid, hex, rng, type Random } from './rng.js'
import type { BenchTree, TreePod } from './types.js'

const MiB = 1024 * 1024
const QOS_CYCLE: readonly QosClass[] = ['guaranteed', 'burstable', 'burstable', 'burstable', 'besteffort']

/**
 * tmpfs when there is one: 70k small files are written and removed per tree, and on a disk
 * filesystem their writeback competes with the measurement. Reads cost the same on both.
 */
export function defaultTmp(): string {
  try {
    accessSync('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return tmpdir()
  }
}

/** A pod to write: its cgroup paths and the limits the kubelet would set. */
export interface PlannedPod extends TreePod {
  /** memory.max of each container; undefined for BestEffort. */
  readonly containerLimitBytes: number | undefined
}

/** The kubepods slice of a hierarchy root. */
export const kubepodsOf = (hierarchyRoot: string): string => join(hierarchyRoot, 'kubepods.slice')

export const containerDirName = (id: string): string => `cri-containerd-${id}.scope`

/** The i-th pod of a tree: QoS by turn, a fresh uid and container ids, systemd driver paths. */
export function planPod(rand: Random, i: number, kubepods: string, containersPerPod: number): PlannedPod {
  const qos = QOS_CYCLE[i % QOS_CYCLE.length] ?? 'burstable'
  // Static pods (kube-apiserver and friends) carry a 32-hex config hash without dashes.
  const podUid = i % 100 === 7 ? hex(rand, 32) : dashedUid(rand)
  const uidPath = podUid.replaceAll('-', '_')
  const podDir =
    qos === 'guaranteed'
      ? join(kubepods, `kubepods-pod${uidPath}.slice`)
      : join(kubepods, `kubepods-${qos}.slice`, `kubepods-${qos}-pod${uidPath}.slice`)
  const containerLimitBytes = qos === 'besteffort' ? undefined : (64 + Math.floor(rand() * 1984)) * MiB
  const containerIds: string[] = []
  for (let c = 0; c < containersPerPod; c++) containerIds.push(hex(rand, 64))
  return { podUid, qos, podDir, containerIds, containerLimitBytes }
}

/** Writes the pod cgroup and its containers at `dir` (podDir, or a staging place to rename). */
export function writePod(writer: CgroupWriter, pod: PlannedPod, dir: string = pod.podDir): void {
  const limit = pod.containerLimitBytes
  writer.write(dir, 'pod', limit === undefined ? undefined : limit * pod.containerIds.length)
  for (const id of pod.containerIds) writer.write(join(dir, containerDirName(id)), 'container', limit)
}

/** Writes what a node has besides pods: the root, system services, the kubepods slices. */
export function writeSkeleton(writer: CgroupWriter, cgroupRoot: string, hierarchyRoot: string): void {
  writer.writeMountRoot(cgroupRoot)
  writer.write(hierarchyRoot, 'root', undefined)
  // A little of what a node runs beside Kubernetes, which 'kubernetes' scope must skip.
  for (const svc of ['containerd', 'kubelet', 'sshd', 'systemd-journald', 'chronyd']) {
    writer.write(join(hierarchyRoot, 'system.slice', `${svc}.service`), 'other', undefined)
  }
  const kubepods = kubepodsOf(hierarchyRoot)
  writer.write(kubepods, 'slice', 16 * 1024 * MiB)
  for (const q of ['burstable', 'besteffort']) writer.write(join(kubepods, `kubepods-${q}.slice`), 'slice', undefined)
}

export interface GenerateOptions {
  readonly version: CgroupVersion
  readonly pods?: number
  readonly containersPerPod?: number
  readonly seed?: number
  /** The tree's directory; a fresh one below `tmp` when not given. */
  readonly out?: string
  readonly tmp?: string
  /** The live PID every container's cgroup.procs lists (default: this process, cgroup-writer.ts). */
  readonly procsPid?: number
}

export interface GeneratedTree extends BenchTree {
  readonly real: false
  readonly expected: readonly PlannedPod[]
  /** Writes more cgroups like the tree's own, with the tree's random stream (churn). */
  readonly writer: CgroupWriter
}

export function generateTree(opts: GenerateOptions): GeneratedTree {
  const { version, pods = 500, containersPerPod = 4, seed = 1 } = opts
  const base = opts.out === undefined ? mkdtempSync(join(opts.tmp ?? defaultTmp(), `memlens-bench-${version}-`)) : resolve(opts.out)
  const cgroupRoot = join(base, 'root')
  const hierarchyRoot = version === 'v1' ? join(cgroupRoot, 'memory') : cgroupRoot
  const rand = rng(seed * 7919 + (version === 'v1' ? 1 : 2))
  const writer = new CgroupWriter(version, rand, opts.procsPid)
  writeSkeleton(writer, cgroupRoot, hierarchyRoot)

  const cgroupDirs: string[] = []
  const expected: PlannedPod[] = []
  for (let i = 0; i < pods; i++) {
    const pod = planPod(rand, i, kubepodsOf(hierarchyRoot), containersPerPod)
    writePod(writer, pod)
    cgroupDirs.push(pod.podDir, ...pod.containerIds.map((id) => join(pod.podDir, containerDirName(id))))
    expected.push(pod)
  }

  const listFile = join(base, 'cgroups.txt')
  writeFileSync(listFile, cgroupDirs.join('\n') + '\n')
  return {
    version,
    real: false,
    base,
    cgroupRoot,
    hierarchyRoot,
    listFile,
    pods,
    containers: pods * containersPerPod,
    cgroupDirs,
    expected,
    scope: 'kubernetes',
    parent: '/',
    writerDirs: [],
    writer,
  }
}
