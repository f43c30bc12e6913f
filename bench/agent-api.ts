// Every import bench/ makes from outside bench/: the agent's modules and the one test helper
// (the fake API server), in one place.
export { findHierarchy } from '../agent/cgroup/hierarchy.js'
export { discover } from '../agent/cgroup/discover.js'
export { Collector } from '../agent/collect/collector.js'
export { SnapshotRenderer } from '../agent/expose/exposition.js'
export { publish } from '../agent/expose/publish.js'
export { noMetadata } from '../agent/model.js'
export { nativeAddon, nativeState, type NativeAddon } from '../agent/kernel/native.js'
export { READ_SPEC, type FileSpec } from '../agent/cgroup/files.js'
export type { CgroupSample, CgroupVersion, QosClass, Scope, Snapshot } from '../agent/model.js'
export { FakeApiServer, pod as apiPod, type Json } from '../test/kube/fake-api-server.js'
export { writeKubeconfig } from '../test/kube/kubeconfig.js'
