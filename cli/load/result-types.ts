// What a load run returns: plain, JSON-serialisable data that reports print and thresholds judge.
import type { LatencySummary } from './histogram.js'
import type { LoadModel } from './types.js'

export type { LatencySummary } from './histogram.js'

/** Outcomes of a group of requests (all, one label, or one kind), over the measurement window. */
export interface OutcomeCounts {
  /** Requests dispatched (the open model's due requests minus `dropped`). */
  readonly sent: number
  /** Open model: requests due while `maxInFlight` were already in flight, so never sent. */
  readonly dropped: number
  /** Open model: requests sent later than their due time by more than the tolerance. */
  readonly late: number
  /** Requests that ended, with a response or a transport error. */
  readonly requests: number
  /** Requests answered with any HTTP status. */
  readonly responses: number
  /** By status class; `4xx` leaves out 429, counted on its own, so the classes add up to `responses`. */
  readonly status: { readonly '2xx': number, readonly '3xx': number, readonly '4xx': number, readonly '429': number, readonly '5xx': number, readonly other: number }
  /** Transport errors, by cause (no HTTP status at all). */
  readonly errors: { readonly total: number, readonly timeout: number, readonly refused: number, readonly reset: number, readonly other: number }
  /** Transport errors plus 5xx responses: what the `errors` thresholds measure. */
  readonly failed: number
}

export interface Breakdown extends OutcomeCounts {
  /** Latency from the due time, of the requests that got a response. */
  readonly latency: LatencySummary
}

/** One second of the measurement window, for charts. Sends count in the second they left, completions in the second they ended. */
export interface SeriesPoint {
  /** Seconds since the measurement began (0 is the first second). */
  readonly second: number
  readonly sent: number
  readonly dropped: number
  readonly late: number
  /** Requests that ended in this second (responses and transport errors). */
  readonly completed: number
  readonly failed: number
  readonly status429: number
  /** Corrected latency of the responses that arrived in this second, ms; `null` when none did. */
  readonly p50: number | null
  readonly p99: number | null
}

/** How one generator thread fared: if it was saturated, the results measure the generator, not the target. */
export interface GeneratorHealth {
  /** `main`, or `worker 1`, `worker 2`, … */
  readonly thread: string
  /** The whole process's CPU time over wall time (1 is one core fully busy); reported by the main thread only, else `null`. */
  readonly cpuShare: number | null
  /** Share of the time this thread's event loop was busy (0–1). */
  readonly eventLoopUtilization: number
  /** Event-loop delay in ms: how long ready work waited for the thread. */
  readonly eventLoopDelay: { readonly p50: number, readonly p99: number, readonly max: number }
}

export interface GeneratorReport {
  readonly threads: ReadonlyArray<GeneratorHealth & { readonly sent: number, readonly responses: number }>
  /** How late sends left compared with their due time (open model), ms. */
  readonly sendLag: LatencySummary
  /** Human-readable warnings: the generator itself may have been the bottleneck. */
  readonly warnings: readonly string[]
}

/** The options the run was made with, echoed for the report. */
export interface RunSettings {
  readonly target: string
  readonly model: LoadModel
  readonly connections: number
  readonly workers: number
  readonly timeoutMs: number
  readonly warmupMs: number
  readonly lateToleranceMs: number
  readonly scenario?: { readonly kind: string, readonly name: string, readonly rate?: number, readonly seed: string }
}

export interface LoadResult {
  /** ISO times of the measurement window's start and of the run's end (after in-flight requests settled). */
  readonly startedAt: string
  readonly endedAt: string
  /** Length of the measurement window (warm-up excluded), ms. */
  readonly durationMs: number
  /** True when the run was stopped early (abort signal). */
  readonly aborted: boolean
  readonly settings: RunSettings
  readonly totals: OutcomeCounts & {
    /** Responses per second over the measurement window: what `rate` thresholds measure. */
    readonly rate: number
    /** Requests sent per second over the measurement window. */
    readonly sendRate: number
  }
  /** From each request's due time (includes any wait the target imposed by stalling: no coordinated omission). */
  readonly corrected: LatencySummary
  /** From the moment each request was written to a connection: what a tool that waits for a free connection reports. */
  readonly uncorrected: LatencySummary
  readonly byLabel: Readonly<Record<string, Breakdown>>
  readonly byKind: Readonly<Record<string, Breakdown>>
  readonly series: readonly SeriesPoint[]
  readonly generator: GeneratorReport
}
