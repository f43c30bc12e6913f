// Where the API server is and how to authenticate: the pod's ServiceAccount when running in the
// cluster, or a kubeconfig file (for running memlens outside the cluster). KUBECONFIG and flags
// are resolved by the config layer, which passes the path and whether we run in a pod here.
import { KubeConfig } from './client.js'

export interface LoadKubeConfigOptions {
  readonly kubeconfigPath?: string | undefined
  /** KUBERNETES_SERVICE_HOST and _PORT are set (config.ts reads them): running in a pod. */
  readonly inCluster?: boolean
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig()
  if (options.kubeconfigPath !== undefined) {
    kc.loadFromFile(options.kubeconfigPath)
    if (kc.getCurrentCluster() === null) {
      throw new Error(`kubeconfig ${options.kubeconfigPath}: no cluster for the current context`)
    }
    return kc
  }
  // The library would otherwise build https://undefined:undefined and fail on every request.
  if (options.inCluster !== true) {
    throw new Error(
      'not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST/PORT unset): give a kubeconfig path, or disable Kubernetes metadata',
    )
  }
  // The token file is re-read every minute, so projected-token rotation is followed.
  kc.loadFromCluster()
  return kc
}
