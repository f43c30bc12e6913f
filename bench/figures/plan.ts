// How much the default mode (and --real) measures: sizes, rounds and request counts.
import type { Options } from '../args.js'

export interface FiguresPlan {
  readonly pods: number
  readonly containersPerPod: number
  /** Agent cycles and C passes alternate in rounds, so a change of load lands on both alike. */
  readonly rounds: number
  readonly passesPerRound: number
  readonly floorWarmup: number
  readonly cycleWarmup: number
  readonly metricsRequests: number
  /** Stop sampling /metrics after this long even if fewer requests were made (a slow agent). */
  readonly metricsBudgetMs: number
  readonly healthzRequests: number
  readonly healthzSpacingMs: number
  readonly continuousInterval: string
}

export function figuresPlan(o: Options): FiguresPlan {
  return Object.freeze({
    pods: o.pods,
    containersPerPod: o.containersPerPod,
    rounds: o.quick ? 3 : 5,
    passesPerRound: 3,
    floorWarmup: 1,
    cycleWarmup: 3,
    metricsRequests: o.quick ? 20 : 50,
    metricsBudgetMs: o.quick ? 4000 : 10_000,
    healthzRequests: o.quick ? 150 : 500,
    healthzSpacingMs: 5,
    continuousInterval: '100ms',
  })
}
