// The Kubernetes side's public entry point: what main/cli wiring imports.
export { loadKubeConfig, type LoadKubeConfigOptions } from './kube-config.js'
export { KUBE_ERROR_REASONS, type KubeErrorReason } from './kube-errors.js'
export { POD_METADATA_DEFAULTS, startPodMetadata, type PodMetadata, type PodMetadataOptions } from './pod-metadata.js'
export { OOM_EVENTS_DEFAULTS } from './oom-events.js'
