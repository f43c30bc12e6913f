// prom-client's metric types and registry, loaded without the rest of the package. Its index
// also loads the Pushgateway (https, tls and crypto), the cluster aggregator and the default
// metrics (perf_hooks, v8): about 7 MB of resident memory on every node for code memlens never
// calls. These are the same modules the index would hand out (one CommonJS cache), typed by
// the package's own declarations.
import { createRequire } from 'node:module'
import type * as PromClient from 'prom-client'

const require = createRequire(import.meta.url)

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram
export type Registry = PromClient.Registry
export type Counter<T extends string = string> = PromClient.Counter<T>
export type Gauge<T extends string = string> = PromClient.Gauge<T>
export type Histogram<T extends string = string> = PromClient.Histogram<T>
