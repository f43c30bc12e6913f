// The deploy manifests as plain objects, read the way kustomize reads them. The resource
// files are complete on their own, so this reader needs only `resources:` and `components:`
// and refuses anything else; the tests then run where kubectl is missing, and
// kustomize.test.ts checks that kubectl builds the same objects.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadAll } from 'js-yaml'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const manifestsDir = join(repoRoot, 'manifests')
export const componentDir = join(manifestsDir, 'components', 'prometheus-operator')
export const ruleComponentDir = join(manifestsDir, 'components', 'prometheus-rules')
export const overlayDir = join(manifestsDir, 'overlays', 'prometheus-operator')
/** Patches the DaemonSet, which this reader does not model: kmsg.test.ts builds it with kubectl. */
export const kmsgComponentDir = join(manifestsDir, 'components', 'kmsg')
export const kmsgOverlayDir = join(manifestsDir, 'overlays', 'kmsg')

export type Json = Record<string, unknown>

export interface KubeObject extends Json {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: Json & { readonly name: string; readonly namespace?: string }
}

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const isKubeObject = (v: unknown): v is KubeObject =>
  isRecord(v) &&
  typeof v['apiVersion'] === 'string' &&
  typeof v['kind'] === 'string' &&
  isRecord(v['metadata']) &&
  typeof v['metadata']['name'] === 'string'

/** `apiVersion/kind/namespace/name`: what makes an object unique in a kustomize build. */
export const objectKey = (o: KubeObject): string => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`

export function parseObjects(text: string, source: string): KubeObject[] {
  return loadAll(text, null, { filename: source })
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc, i) => {
      if (!isKubeObject(doc)) {
        throw new Error(`${source}: document ${i + 1} has no apiVersion, kind or metadata.name`)
      }
      return doc
    })
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components'])

const stringList = (v: unknown, where: string): string[] => {
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
    throw new Error(`${where} is not a list of paths`)
  }
  return v
}

/** The objects a kustomization directory builds, in file order. */
export function readKustomization(dir: string): KubeObject[] {
  const file = join(dir, 'kustomization.yaml')
  const [doc] = loadAll(readFileSync(file, 'utf8'), null, { filename: file })
  if (!isRecord(doc)) throw new Error(`${file}: not a mapping`)
  for (const field of Object.keys(doc)) {
    if (!SUPPORTED_FIELDS.has(field)) {
      throw new Error(
        `${file}: "${field}" changes objects, which test/deploy/manifests.ts does not model; ` +
          'keep the resource files complete, or compare against kubectl kustomize only',
      )
    }
  }
  const entries = [...stringList(doc['resources'], `${file} resources`), ...stringList(doc['components'], `${file} components`)]
  return entries.flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? readKustomization(path) : parseObjects(readFileSync(path, 'utf8'), path)
  })
}

/** The one object of this kind; the tests expect exactly one of each. */
export function only(objects: readonly KubeObject[], apiVersion: string, kind: string): KubeObject {
  const found = objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind)
  const [first] = found
  if (found.length !== 1 || first === undefined) {
    throw new Error(`expected one ${apiVersion} ${kind}, found ${found.length}`)
  }
  return first
}

/** The one element of a list that must have exactly one. */
export function single<T>(list: readonly T[] | undefined, what: string): T {
  const [first] = list ?? []
  if (list?.length !== 1 || first === undefined) {
    throw new Error(`expected one ${what}, found ${list?.length ?? 0}`)
  }
  return first
}

/** The fields of package.json that the image and the manifests must agree with. */
export function readPackage(): {
  readonly version: string
  readonly license: string
  readonly bin: Readonly<Record<string, unknown>>
  readonly scripts: Readonly<Record<string, unknown>>
} {
  const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  if (!isRecord(pkg) || typeof pkg['version'] !== 'string' || typeof pkg['license'] !== 'string') {
    throw new Error('package.json has no version or license')
  }
  return {
    version: pkg['version'],
    license: pkg['license'],
    bin: isRecord(pkg['bin']) ? pkg['bin'] : {},
    scripts: isRecord(pkg['scripts']) ? pkg['scripts'] : {},
  }
}
