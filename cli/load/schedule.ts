// The open model's arrival schedule: when the k-th request is due, from the integral of a piecewise-linear rate.
import type { RateStage } from './types.js'

interface Segment {
  readonly startMs: number
  readonly durationMs: number
  /** Requests per second at the segment's start. */
  readonly startRate: number
  /** Rate change per second, per second (the ramp's slope). */
  readonly slope: number
  /** Requests due before the segment starts (the integral so far, not rounded). */
  readonly startCount: number
  readonly count: number
}

// Float noise in the integral must not add a request at the very end of the schedule.
const COUNT_EPSILON = 1e-6

function checkRate (rate: number, what: string): void {
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`${what} must be a finite rate ≥ 0 requests per second, got ${rate}`)
}

/**
 * Request k (0, 1, 2, …) is due at the time t where the rate's integral N(t) reaches k, so the first is due
 * at 0 and a constant rate r for d seconds yields ⌈r·d⌉ requests. Each time is computed from the integral
 * directly, never by adding up intervals, so no error accumulates over long runs.
 */
export class ArrivalSchedule {
  readonly durationMs: number
  /** Requests due in [0, durationMs). */
  readonly total: number
  readonly #segments: Segment[] = []

  /** `startRate` is where the first stage ramps from; without it the first stage holds its target rate. */
  constructor (stages: readonly RateStage[], startRate?: number) {
    for (const [i, stage] of stages.entries()) {
      checkRate(stage.targetRate, `stage ${i + 1}'s targetRate`)
      if (!Number.isFinite(stage.durationMs) || stage.durationMs < 0) throw new RangeError(`stage ${i + 1}'s durationMs must be a finite number ≥ 0, got ${stage.durationMs}`)
    }
    if (startRate !== undefined) checkRate(startRate, 'startRate')
    let rate = startRate ?? stages[0]?.targetRate ?? 0
    let startMs = 0
    let startCount = 0
    for (const stage of stages) {
      if (stage.durationMs === 0) {
        rate = stage.targetRate
        continue
      }
      const seconds = stage.durationMs / 1000
      const count = (rate + stage.targetRate) / 2 * seconds
      this.#segments.push({ startMs, durationMs: stage.durationMs, startRate: rate, slope: (stage.targetRate - rate) / seconds, startCount, count })
      startMs += stage.durationMs
      startCount += count
      rate = stage.targetRate
    }
    this.durationMs = startMs
    this.total = Math.max(0, Math.ceil(startCount - COUNT_EPSILON))
  }

  /** N(t): how many requests are due before `ms` (fractional; the integral of the rate). */
  countAt (ms: number): number {
    let count = 0
    for (const s of this.#segments) {
      if (ms <= s.startMs) break
      const tau = Math.min(ms - s.startMs, s.durationMs) / 1000
      count = s.startCount + s.startRate * tau + s.slope * tau * tau / 2
    }
    return count
  }

  /** When request k is due, in milliseconds from the schedule's start; `Infinity` past the end. */
  timeAt (k: number): number {
    if (!(k >= 0 && k < this.total)) return Infinity
    return this.timeInSegment(this.segmentOf(k, 0), k)
  }

  /** Iterates the due times in order, finding each segment by a forward scan rather than a search. */
  cursor (): ScheduleCursor {
    return new ScheduleCursor(this)
  }

  /** The index of the segment in which the integral reaches k, scanning forward from `from`. */
  segmentOf (k: number, from: number): number {
    const segments = this.#segments
    let i = from
    while (i < segments.length - 1) {
      const s = segments[i] as Segment
      if (k < s.startCount + s.count) break
      i++
    }
    return i
  }

  /** When request k is due, given the segment `segmentOf` found for it. */
  timeInSegment (index: number, k: number): number {
    const s = this.#segments[index] as Segment
    const m = Math.max(0, k - s.startCount)
    // Solves startRate·τ + slope·τ²/2 = m in the form that stays accurate for flat, rising and falling
    // rates alike (no cancellation when the slope is small).
    const root = Math.sqrt(Math.max(0, s.startRate * s.startRate + 2 * s.slope * m))
    const denominator = s.startRate + root
    const tau = denominator > 0 ? 2 * m / denominator : 0
    return s.startMs + Math.min(tau * 1000, s.durationMs)
  }
}

/** Hands out the due times of requests 0, 1, 2, … ; `Infinity` once the schedule is exhausted. */
export class ScheduleCursor {
  readonly #schedule: ArrivalSchedule
  #k = 0
  #segment = 0

  constructor (schedule: ArrivalSchedule) {
    this.#schedule = schedule
  }

  /** How many due times have been handed out. */
  get taken (): number {
    return this.#k
  }

  next (): number {
    const schedule = this.#schedule
    if (this.#k >= schedule.total) return Infinity
    // Called once per request on the hot path: two calls, no allocation.
    this.#segment = schedule.segmentOf(this.#k, this.#segment)
    return schedule.timeInSegment(this.#segment, this.#k++)
  }
}
