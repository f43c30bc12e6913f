// Every import bench/ makes from outside bench/: the agent's modules and the one test helper
// (the fake API server). The lead's restructuring (issue 6) moves them; repoint here only:
//
//   findHierarchy            agent/cgroup/hierarchy.ts        (unchanged)
//   discover                 agent/cgroup/discover.ts         (unchanged)
//   Collector                agent/collector.ts            -> agent/collect/collector.ts
//   SnapshotRenderer         agent/metrics/exposition.ts   -> agent/expose/exposition.ts
//   publish                  agent/metrics/publish.ts      -> agent/expose/publish.ts
//   noMetadata               agent/kube/types.ts           -> agent/model.ts
//   nativeState, nativeAddon agent/native.ts               -> agent/kernel/native.ts
//   READ_SPEC, FileSpec      agent/cgroup/read.ts          -> agent/cgroup/files.ts
//   model types              agent/model.ts                   (unchanged)
//   FakeApiServer, pod       test/kube/fake-api-server.ts     (unchanged)
export { findHierarchy } from '../agent/cgroup/hierarchy.js'
export { discover } from '../agent/cgroup/discover.js'
export { Collector } from '../agent/collector.js'
export { SnapshotRenderer } from '../agent/metrics/exposition.js'
export { publish } from '../agent/metrics/publish.js'
export { noMetadata } from '../agent/kube/types.js'
export { nativeAddon, nativeState, type NativeAddon } from '../agent/native.js'
export { READ_SPEC, type FileSpec } from '../agent/cgroup/read.js'
export type { CgroupSample, CgroupVersion, QosClass, Scope, Snapshot } from '../agent/model.js'
export { FakeApiServer, pod as apiPod, type Json } from '../test/kube/fake-api-server.js'
