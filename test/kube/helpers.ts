// Shared by the kube tests: a pino logger whose output is read back as parsed JSON lines,
// a KubeConfig for the fake API server, and a poll-until helper.
import { Writable } from 'node:stream'
import { KubeConfig } from '@kubernetes/client-node'
import { pino, type Logger } from 'pino'

export type LogLine = Record<string, unknown> & { readonly level: number; readonly msg?: string }

export interface CapturedLog {
  readonly logger: Logger
  lines(): LogLine[]
}

export function captureLog(): CapturedLog {
  let text = ''
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString()
      callback()
    },
  })
  const logger = pino({ level: 'debug', base: undefined, timestamp: false }, destination)
  return {
    logger,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as LogLine),
  }
}

/** pino's numeric levels. */
export const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const

export function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig()
  // The library refuses plain http unless skipTLSVerify is set.
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'memlens' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'memlens' }],
    currentContext: 'fake',
  })
  return kc
}

export { until } from '../helpers/wait.js'
