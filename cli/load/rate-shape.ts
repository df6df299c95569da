// Rate shapes (a constant rate, or stages ramping from zero as k6 does) and how a scenario's shape is
// shared out: by proportion between streams, and evenly between worker threads.
import type { RateStage, RequestStream, ScenarioSource } from './types.js'

export interface RateShape {
  readonly stages: readonly RateStage[]
  /** Where the first stage ramps from; absent for a constant rate (the first stage holds its target). */
  readonly startRate?: number
}

export const DEFAULT_RATE = 50

export function constantShape (rate: number, durationMs: number): RateShape {
  return { stages: [{ durationMs, targetRate: rate }] }
}

/** Stages as people write them: the first ramps up from nothing. */
export function rampShape (stages: readonly RateStage[]): RateShape {
  return { stages, startRate: 0 }
}

export function scaleShape (shape: RateShape, factor: number): RateShape {
  return {
    stages: shape.stages.map((s) => ({ durationMs: s.durationMs, targetRate: s.targetRate * factor })),
    ...(shape.startRate === undefined ? {} : { startRate: shape.startRate * factor }),
  }
}

/** Requests the shape asks for, divided by its length: the average rate (ramps are linear). */
export function meanRate (shape: RateShape): number {
  let rate = shape.startRate ?? shape.stages[0]?.targetRate ?? 0
  let requests = 0
  let ms = 0
  for (const stage of shape.stages) {
    requests += (rate + stage.targetRate) / 2 * stage.durationMs / 1000
    ms += stage.durationMs
    rate = stage.targetRate
  }
  return ms === 0 ? 0 : requests / (ms / 1000)
}

/** The run's own shape from `--rate` / `--stages`, when one was given: it replaces the scenario's. */
export function overrideShape (source: Pick<ScenarioSource, 'rate' | 'stages' | 'durationMs'>): RateShape | undefined {
  if (source.stages !== undefined && source.stages.length > 0) return rampShape(source.stages)
  if (source.rate !== undefined) return constantShape(source.rate, source.durationMs)
  return undefined
}

/** This worker's part of a stream's shape: every worker runs the same shape at 1/workerCount of the rate. */
export function workerShare (shape: RateShape, source: Pick<ScenarioSource, 'workerCount'>): Pick<RequestStream, 'stages' | 'startRate'> {
  const scaled = scaleShape(shape, 1 / Math.max(1, source.workerCount))
  return scaled.startRate === undefined ? { stages: scaled.stages } : { stages: scaled.stages, startRate: scaled.startRate }
}
