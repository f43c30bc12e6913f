// The one place memlens loads @kubernetes/client-node's code; elsewhere it is `import type`.
//
// What memlens needs from the library is KubeConfig: kubeconfig files and the in-cluster
// ServiceAccount, exec/OIDC/cloud auth, client certificates, proxies, token rotation. Its
// requests (list, watch, Events) go through api-request.ts, with caps the library lacks.
// KubeConfig lives in dist/config.js (the package has no "exports" map, so the deep import is
// allowed), but that module imports ./gen/index.js for makeApiClient alone, and gen/index.js
// loads every generated API and model: ~70 MB of resident memory on every node, measured
// (docs/deploy.md). A resolve hook, scoped to that one import of that one module, serves
// the two names config.js takes from it (createConfiguration, ServerConfiguration) from the
// small modules that define them. The library's code runs unchanged.
//
// Node 22.15+ and 24 (the image) run the hook in this thread (module.registerHooks); Node 20
// runs it in a loader thread (module.register), which costs ~10 MB but still saves ~50 MB.
import * as nodeModule from 'node:module'
import type * as ConfigModule from '@kubernetes/client-node/dist/config.js'

const CONFIG_SPECIFIER = '@kubernetes/client-node/dist/config.js'

interface ResolveResult {
  readonly url: string
  readonly shortCircuit?: boolean
}
type NextResolve = (specifier: string, context: ResolveContext) => ResolveResult
interface ResolveContext {
  readonly parentURL?: string | undefined
}
type RegisterHooks = (hooks: { resolve(specifier: string, context: ResolveContext, next: NextResolve): ResolveResult }) => unknown

/** The data: module that stands in for dist/gen/index.js when dist/config.js imports it. */
export function slimGenModule(configUrl: string): string {
  const configuration = new URL('./gen/configuration.js', configUrl).href
  const servers = new URL('./gen/servers.js', configUrl).href
  const source =
    `export { createConfiguration } from ${JSON.stringify(configuration)};\n` +
    `export { ServerConfiguration } from ${JSON.stringify(servers)};\n`
  return `data:text/javascript,${encodeURIComponent(source)}`
}

let hooked = false

function installHook(configUrl: string): void {
  if (hooked) return
  hooked = true
  const slim = slimGenModule(configUrl)
  const matches = (specifier: string, parentURL: string | undefined): boolean => specifier === './gen/index.js' && parentURL === configUrl
  const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks
  if (registerHooks !== undefined) {
    registerHooks({
      resolve: (specifier, context, next) =>
        matches(specifier, context.parentURL) ? { url: slim, shortCircuit: true } : next(specifier, context),
    })
    return
  }
  const hook =
    `const slim = ${JSON.stringify(slim)}, parent = ${JSON.stringify(configUrl)};\n` +
    `export async function resolve(specifier, context, next) {\n` +
    `  if (specifier === './gen/index.js' && context.parentURL === parent) return { url: slim, shortCircuit: true }\n` +
    `  return next(specifier, context)\n` +
    `}\n`
  nodeModule.register(`data:text/javascript,${encodeURIComponent(hook)}`)
}

/**
 * The library's config module, without its generated clients. If something in the process
 * loaded the whole library first (tests do), that same module is returned.
 */
export async function loadClientConfig(): Promise<typeof ConfigModule> {
  const configUrl = import.meta.resolve(CONFIG_SPECIFIER)
  installHook(configUrl)
  return (await import(CONFIG_SPECIFIER)) as typeof ConfigModule
}

const config = await loadClientConfig()
export const KubeConfig = config.KubeConfig
export type KubeConfig = ConfigModule.KubeConfig
