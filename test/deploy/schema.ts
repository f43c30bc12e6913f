// Two checks per object, because neither catches everything alone:
// - kubernetes-models validates types, enums and required fields against the Kubernetes
//   OpenAPI schema, but lets unknown fields through;
// - @kubernetes/client-node's typed models keep only fields the API defines, so what a
//   round trip through them loses is a field the API server would reject (kubectl's
//   strict field validation) or silently drop: a typo such as readOnlyRootFileSystem.
import { dumpYaml, loadAllYaml } from '@kubernetes/client-node'
import type { TypeMeta, TypeMetaGuard } from '@kubernetes-models/base'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { load } from 'js-yaml'
import { isRecord, type KubeObject } from './manifests.js'

interface Validator {
  readonly apiVersion: string
  readonly kind: string
  /** Throws the schema's complaint. */
  readonly validate: (o: unknown) => void
}

interface ModelClass<T extends TypeMeta> {
  readonly apiVersion: string
  readonly kind: string
  readonly is: TypeMetaGuard<T>
}

const validator = <T extends TypeMeta>(model: ModelClass<T>, make: (o: T) => { validate(): void }): Validator => ({
  apiVersion: model.apiVersion,
  kind: model.kind,
  validate: (o) => {
    if (!model.is(o)) throw new Error(`not a ${model.apiVersion} ${model.kind}`)
    make(o).validate()
  },
})

const VALIDATORS: readonly Validator[] = [
  validator(Namespace, (o) => new Namespace(o)),
  validator(ServiceAccount, (o) => new ServiceAccount(o)),
  validator(Service, (o) => new Service(o)),
  validator(ClusterRole, (o) => new ClusterRole(o)),
  validator(ClusterRoleBinding, (o) => new ClusterRoleBinding(o)),
  validator(DaemonSet, (o) => new DaemonSet(o)),
  validator(NetworkPolicy, (o) => new NetworkPolicy(o)),
]

const validatorFor = (o: KubeObject): Validator | undefined => VALIDATORS.find((v) => v.apiVersion === o.apiVersion && v.kind === o.kind)

/** Kinds kubernetes-models has a schema for here; others need checks of their own. */
export const hasSchema = (o: KubeObject): boolean => validatorFor(o) !== undefined

/** Throws the schema's complaint; an object of a kind without a schema is an error too. */
export function validateSchema(o: KubeObject): void {
  const v = validatorFor(o)
  if (v === undefined) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`)
  v.validate(o)
}

/** Paths present in `raw` but missing from `kept`. */
function lostPaths(raw: unknown, kept: unknown, path: string): string[] {
  if (Array.isArray(raw)) {
    const k = Array.isArray(kept) ? kept : []
    return raw.flatMap((v, i) => lostPaths(v, k[i], `${path}[${i}]`))
  }
  if (isRecord(raw)) {
    const k = isRecord(kept) ? kept : {}
    return Object.entries(raw).flatMap(([key, v]) => (key in k ? lostPaths(v, k[key], `${path}.${key}`) : [`${path}.${key}`]))
  }
  return []
}

/** Fields of `o` that the Kubernetes API does not define (JSON paths, e.g. `.spec.foo`). */
export function unknownFields(o: KubeObject): string[] {
  const typed: unknown[] = loadAllYaml(JSON.stringify(o))
  const back = load(dumpYaml(typed[0]))
  return lostPaths(o, back, '')
}
