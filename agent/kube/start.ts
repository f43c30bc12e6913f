// The Kubernetes side starts itself: given the config and a registry for its own metrics, it
// returns the pod names of this node, or undefined when no node name asks for them. The API
// client is imported only then: even without its generated models (client.ts) it costs 15-25 MB
// of resident memory, which a host without Kubernetes should not pay.
import type { Logger } from 'pino'
import { Registry } from '../expose/prom.js'
import { ConfigError, type Config } from '../config.js'
import { errorMessage } from '../kernel/errors.js'
import type { MetadataService } from '../model.js'

export interface StartKubernetesDeps {
  readonly logger: Logger
  /** Where the watch's own metrics go; a private one when nobody serves them (snapshot, top). */
  readonly registry?: Registry
}

export async function startKubernetes(config: Config, deps: StartKubernetesDeps): Promise<MetadataService | undefined> {
  const nodeName = config.nodeName
  if (nodeName === undefined) return undefined
  const { startPodMetadata, loadKubeConfig } = await import('./metadata.js')
  let kubeConfig: ReturnType<typeof loadKubeConfig>
  try {
    kubeConfig = loadKubeConfig({ kubeconfigPath: config.kubeconfig, inCluster: config.inCluster })
  } catch (er) {
    // Asked for pod names with no way to reach the API server: a setup error, like a bad flag.
    throw new ConfigError(
      `--node-name ${nodeName}: no Kubernetes credentials: ${errorMessage(er)} (give --kubeconfig, or drop --node-name)`,
    )
  }
  return startPodMetadata({ kubeConfig, nodeName, registry: deps.registry ?? new Registry(), logger: deps.logger })
}
