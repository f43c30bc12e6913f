// What went wrong talking to the API server, in terms an operator can act on. Errors come in
// two shapes: ApiError from a request (api-request.ts: `statusCode`, the Status JSON in `body`),
// and a Status object in a watch ERROR event.
import { errorMessage } from '../kernel/errors.js'
import { TooLargeError } from './capped.js'
import { field, isObject, numberField, stringField } from './guards.js'

/** The `reason` label of memlens_kubernetes_errors_total. */
export const KUBE_ERROR_REASONS = ['list', 'watch', 'gone', 'unauthorized', 'forbidden', 'decode', 'too_large'] as const
export type KubeErrorReason = (typeof KUBE_ERROR_REASONS)[number]

export type KubePhase = 'list' | 'watch'

/** A watch ERROR event, or a watch that ended in a way that needs a backoff before retrying. */
export class WatchError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message)
    this.name = 'WatchError'
  }
}

/** An API object we could not use: the `decode` reason. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecodeError'
  }
}

/** The HTTP status of a failed request or ERROR event, if it has one. */
export function statusCode(er: unknown): number | undefined {
  // `code` is also where Node puts 'ECONNREFUSED' and friends: only a number is a status.
  return numberField(er, 'statusCode') ?? numberField(er, 'code')
}

export function errorReasonFor(phase: KubePhase, er: unknown): KubeErrorReason {
  if (er instanceof DecodeError || er instanceof SyntaxError) return 'decode'
  if (er instanceof TooLargeError) return 'too_large'
  switch (statusCode(er)) {
    case 401:
      return 'unauthorized'
    case 403:
      return 'forbidden'
    case 410:
      return 'gone'
    default:
      return phase
  }
}

/** The API server's own words (Status.message) when it sent any, else the error's message. */
export function serverMessage(er: unknown): string {
  const body = field(er, 'body')
  if (typeof body === 'string' && body.startsWith('{')) {
    try {
      const message = stringField(JSON.parse(body), 'message')
      if (message) return message
    } catch {
      // Not JSON after all: fall through to the error's own message.
    }
  }
  if (isObject(body)) {
    const message = stringField(body, 'message')
    if (message) return message
  }
  // ApiException's message repeats headers and body over several lines; keep the first.
  return errorMessage(er).split('\n')[0] ?? ''
}

/** What to fix for a 401 or 403, written for the operator reading the log. */
export function accessAdvice(status: 401 | 403, nodeName: string): string {
  if (status === 401) {
    return (
      'the API server rejected memlens credentials (401 Unauthorized): check that the ServiceAccount ' +
      'token is mounted (automountServiceAccountToken) and valid, or the kubeconfig user; ' +
      'pod names stay empty until this is fixed'
    )
  }
  return (
    'memlens may not read pods (403 Forbidden): its ServiceAccount needs get, list and watch on ' +
    'pods (apiGroups [""], resources ["pods"]) cluster-wide, through a ClusterRole and ClusterRoleBinding; ' +
    `the field selector spec.nodeName=${nodeName} does not narrow what RBAC requires, so a namespaced Role is not enough; ` +
    'pod names stay empty until this is fixed'
  )
}
