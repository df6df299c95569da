// Runs request streams against a target in this thread (open or closed model) and returns the measurements.
import { performance } from 'node:perf_hooks'
import { driveClosed, splitByWeight } from './closed-model.js'
import { Transport } from './exchange.js'
import { driveOpen, streamSchedule } from './open-model.js'
import { RawHttpPool } from './raw-http.js'
import { RunRecorder, type RunData } from './recorder.js'
import type { LoadResult, RunSettings } from './result-types.js'
import { startSelfMonitor } from './self-monitor.js'
import { summarize } from './summarize.js'
import type { LoadModel, RequestStream } from './types.js'

/** Cumulative counters of a running thread, for a live display. */
export interface ProgressPoint {
  /** ms since the measurement began (negative during warm-up). */
  readonly elapsedMs: number
  readonly sent: number
  readonly completed: number
  readonly failed: number
  readonly dropped: number
  readonly late: number
  readonly inFlight: number
}

export interface EngineOptions {
  /** Target origin, e.g. `http://127.0.0.1:8080`. */
  readonly target: string
  readonly model: LoadModel
  readonly connections: number
  /** Per-request timeout from dispatch; a request taking longer is aborted and counted as an error (`timeout`). */
  readonly timeoutMs: number
  /** Open model: each stream runs at its starting rate this long before its stages; closed model: runs this long first. Not recorded. */
  readonly warmupMs?: number
  /** Closed model: how long to measure (required). Open model: ignored, the schedules set the length. */
  readonly durationMs?: number
  /** A send this much later than its due time counts as `late` (default 2 ms: Node timers fire up to ~1 ms late when all is well). */
  readonly lateToleranceMs?: number
  /** Stops sending; in-flight requests are awaited up to `timeoutMs`, then cancelled. */
  readonly signal?: AbortSignal
  /** Wall-clock (epoch ms) start, so that worker threads share one schedule; default: now. */
  readonly startAtEpochMs?: number
  /** Called about once a second with this thread's running counters. */
  readonly onProgress?: (point: ProgressPoint) => void
  /** Echoed in the result: how the streams were made and over how many workers. */
  readonly scenario?: RunSettings['scenario']
  readonly workers?: number
  /** Names this thread in the generator report (default `main`). */
  readonly thread?: string
}

export const DEFAULT_LATE_TOLERANCE_MS = 2

/** The longest the engine waits for its connections before the schedule starts. */
const PRECONNECT_MS = 1_000

/** Cancelled requests get this long past their own timeout to report back before the pool is destroyed. */
const SETTLE_GRACE_MS = 1_000

/** The engine's client speaks plain HTTP/1.1 (see raw-http.ts): every target it is made for listens on http. */
export function checkTarget (target: string): void {
  if (!URL.canParse(target) || new URL(target).protocol !== 'http:') {
    throw new RangeError(`the load generator sends plain HTTP/1.1 only and cannot drive '${target}': give the target's http:// address (the hub and the nodes listen on http)`)
  }
}

export function runSettings (options: EngineOptions): RunSettings {
  return {
    target: options.target,
    model: options.model,
    connections: options.connections,
    workers: options.workers ?? 1,
    timeoutMs: options.timeoutMs,
    warmupMs: options.warmupMs ?? 0,
    lateToleranceMs: options.lateToleranceMs ?? DEFAULT_LATE_TOLERANCE_MS,
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
  }
}

/** Runs `streams` in this thread and summarises the run. */
export async function runLoad (streams: readonly RequestStream[], options: EngineOptions): Promise<LoadResult> {
  return summarize([await runThread(streams, options)], runSettings(options))
}

function checkOptions (streams: readonly RequestStream[], options: EngineOptions): void {
  checkTarget(options.target)
  if (streams.length === 0) throw new Error('no request streams to run: the scenario produced none')
  if (!Number.isInteger(options.connections) || options.connections < 1) throw new RangeError(`connections must be an integer ≥ 1, got ${options.connections}`)
  if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`)
  const model = options.model
  if (model.kind === 'open' && !(Number.isInteger(model.maxInFlight) && model.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${model.maxInFlight}`)
  if (model.kind === 'closed') {
    if (!(Number.isInteger(model.concurrency) && model.concurrency >= 1)) throw new RangeError(`concurrency must be an integer ≥ 1, got ${model.concurrency}`)
    if (!(options.durationMs !== undefined && options.durationMs > 0)) throw new RangeError('the closed model needs durationMs > 0: it has no schedule to end it')
  }
}

/** Runs `streams` in this thread and returns its raw, encoded measurements (what a worker sends back). */
export async function runThread (streams: readonly RequestStream[], options: EngineOptions): Promise<RunData> {
  checkOptions(streams, options)
  const warmupMs = Math.max(0, options.warmupMs ?? 0)
  const model = options.model
  // Built before anything starts, so a stream without a schedule fails the run with nothing left open.
  const schedules = model.kind === 'open' ? streams.map((stream) => streamSchedule(stream, warmupMs)) : []
  const shares = model.kind === 'closed' ? splitByWeight(streams.map((s) => s.weight ?? 1), model.concurrency) : []
  const plannedMs = model.kind === 'open' ? Math.max(...schedules.map((s) => s.durationMs)) - warmupMs : options.durationMs as number

  const thread = options.thread ?? 'main'
  const monitor = startSelfMonitor(thread, thread === 'main')
  const pool = new RawHttpPool(options.target, {
    connections: options.connections,
    connectTimeoutMs: options.timeoutMs,
    // A refusing target is retried at least a few times within a request's timeout.
    maxBackoffMs: Math.min(500, options.timeoutMs / 4),
  })
  // Connected before time 0, the first requests go out at once; a target that is down fails them instead.
  await pool.preconnect(Math.min(options.timeoutMs, PRECONNECT_MS))
  const start = options.startAtEpochMs === undefined ? performance.now() : options.startAtEpochMs - performance.timeOrigin
  const measureStart = start + warmupMs
  const recorder = new RunRecorder(measureStart)
  const transport = new Transport(pool, recorder, { timeoutMs: options.timeoutMs, lateToleranceMs: options.lateToleranceMs ?? DEFAULT_LATE_TOLERANCE_MS })
  const progress = options.onProgress === undefined ? undefined : startProgress(options.onProgress, recorder, transport)

  let failure: unknown
  try {
    if (model.kind === 'open') {
      await driveOpen({ transport, streams, schedules, start, measureStart, maxInFlight: model.maxInFlight, signal: options.signal })
    } else {
      await driveClosed({ transport, streams, shares, start, measureStart, end: measureStart + plannedMs, signal: options.signal })
    }
  } catch (error) {
    // A stream's `next` threw: stop, cancel what is in flight, and report that error.
    failure = error ?? new Error('a request stream failed')
  }
  const aborted = options.signal?.aborted === true
  const stoppedAt = performance.now()
  await settle(transport, pool, failure === undefined ? options.timeoutMs : 0)
  if (progress !== undefined) clearInterval(progress)
  const health = monitor.stop()
  const data = recorder.finish({
    thread,
    measureStartEpochMs: performance.timeOrigin + measureStart,
    endEpochMs: performance.timeOrigin + performance.now(),
    // An aborted run measured only until it stopped.
    durationMs: Math.max(0, aborted || failure !== undefined ? Math.min(plannedMs, stoppedAt - measureStart) : plannedMs),
    aborted,
    health,
  })
  if (failure !== undefined) throw failure
  return data
}

/** Waits for in-flight requests (each bounded by its own timeout), then cancels any left unrecorded. */
async function settle (transport: Transport, pool: RawHttpPool, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs === 0 ? 0 : timeoutMs + SETTLE_GRACE_MS) })
  await Promise.race([transport.idle(), deadline])
  clearTimeout(timer)
  transport.close()
  if (transport.inFlight > 0) transport.discard()
  pool.destroy()
}

function startProgress (report: (point: ProgressPoint) => void, recorder: RunRecorder, transport: Transport): NodeJS.Timeout {
  const timer = setInterval(() => {
    const t = recorder.totals
    const transportErrors = t.timeout + t.refused + t.reset + t.otherErrors
    report({
      elapsedMs: performance.now() - recorder.measureStart,
      sent: t.sent,
      completed: t.responses + transportErrors,
      failed: transportErrors + t.s5xx,
      dropped: t.dropped,
      late: t.late,
      inFlight: transport.inFlight,
    })
  }, 1_000)
  timer.unref()
  return timer
}
