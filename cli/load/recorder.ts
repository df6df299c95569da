// Counts and latency histograms of one generator thread, cheap enough to update on every request.
import { LatencyHistogram } from './histogram.js'
import type { GeneratorHealth } from './result-types.js'

/** Flat, mutable counters: monomorphic for the hot path, and structured-clone safe for workers. */
export interface Tally {
  sent: number
  dropped: number
  late: number
  responses: number
  s2xx: number
  s3xx: number
  s4xx: number
  s429: number
  s5xx: number
  sOther: number
  timeout: number
  refused: number
  reset: number
  otherErrors: number
}

export type ErrorCause = 'timeout' | 'refused' | 'reset' | 'other'

export function emptyTally (): Tally {
  return { sent: 0, dropped: 0, late: 0, responses: 0, s2xx: 0, s3xx: 0, s4xx: 0, s429: 0, s5xx: 0, sOther: 0, timeout: 0, refused: 0, reset: 0, otherErrors: 0 }
}

export function addTally (into: Tally, from: Tally): void {
  for (const key of Object.keys(into) as Array<keyof Tally>) into[key] += from[key]
}

/** A label's or a kind's counters and corrected latency. */
export class Group {
  readonly tally: Tally = emptyTally()
  readonly latency = LatencyHistogram.create()
}

interface Second {
  sent: number
  dropped: number
  late: number
  completed: number
  failed: number
  s429: number
  /** Encoded corrected latency of this second's responses; '' when none. */
  histogram: string
}

export type SecondData = Readonly<Second>

/** One thread's results, encoded for the trip from a worker; merged by `summarize`. */
export interface RunData {
  readonly thread: string
  readonly measureStartEpochMs: number
  readonly endEpochMs: number
  /** When the last measured answer arrived (performance clock read as epoch ms); 0 with none. */
  readonly lastAnswerEpochMs: number
  readonly durationMs: number
  readonly aborted: boolean
  readonly totals: Tally
  readonly corrected: string
  readonly uncorrected: string
  readonly sendLag: string
  readonly byLabel: Record<string, { tally: Tally, latency: string }>
  readonly byKind: Record<string, { tally: Tally, latency: string }>
  readonly series: SecondData[]
  readonly health: GeneratorHealth
}

function emptySecond (): Second {
  return { sent: 0, dropped: 0, late: 0, completed: 0, failed: 0, s429: 0, histogram: '' }
}

export class RunRecorder {
  readonly totals = emptyTally()
  readonly corrected = LatencyHistogram.create()
  readonly uncorrected = LatencyHistogram.create()
  readonly sendLag = LatencyHistogram.create()
  readonly #labels = new Map<string, Group>()
  readonly #kinds = new Map<string, Group>()
  readonly #seconds: Second[] = []
  // Completions arrive in time order, so one histogram for the current second suffices; it is encoded
  // and reset when the first completion of a later second arrives.
  readonly #secondLatency = LatencyHistogram.create()
  #latencySecond = -1
  #lastAnswerAt = 0

  /** `measureStart` is on the `performance.now()` clock: the end of warm-up. */
  constructor (readonly measureStart: number) {}

  label (name: string): Group {
    let group = this.#labels.get(name)
    if (group === undefined) this.#labels.set(name, group = new Group())
    return group
  }

  kind (name: string): Group {
    let group = this.#kinds.get(name)
    if (group === undefined) this.#kinds.set(name, group = new Group())
    return group
  }

  /** A request handed to the HTTP client at `dispatchedAt`. */
  sent (label: Group, kind: Group, due: number, dispatchedAt: number, late: boolean): void {
    const second = this.#second(dispatchedAt)
    this.totals.sent++; label.tally.sent++; kind.tally.sent++; second.sent++
    if (late) {
      this.totals.late++; label.tally.late++; kind.tally.late++; second.late++
    }
    this.sendLag.recordMillis(dispatchedAt - due)
  }

  /** A request sent on time that then waited for a connection past the tolerance. */
  lateWrite (label: Group, kind: Group, writtenAt: number): void {
    this.totals.late++; label.tally.late++; kind.tally.late++; this.#second(writtenAt).late++
  }

  dropped (label: Group, kind: Group, due: number): void {
    this.totals.dropped++; label.tally.dropped++; kind.tally.dropped++
    this.#second(due).dropped++
  }

  /** A response to a request due at `due` and written to a connection at `sentAt`. */
  response (label: Group, kind: Group, status: number, due: number, sentAt: number, doneAt: number): void {
    if (doneAt > this.#lastAnswerAt) this.#lastAnswerAt = doneAt
    const second = this.#second(doneAt)
    second.completed++
    bumpStatus(this.totals, status); bumpStatus(label.tally, status); bumpStatus(kind.tally, status)
    if (status === 429) second.s429++
    else if (status >= 500 && status < 600) second.failed++
    const corrected = doneAt - due
    this.corrected.recordMillis(corrected)
    this.uncorrected.recordMillis(doneAt - sentAt)
    label.latency.recordMillis(corrected)
    kind.latency.recordMillis(corrected)
    this.#recordSecondLatency(doneAt, corrected)
  }

  error (label: Group, kind: Group, cause: ErrorCause, doneAt: number): void {
    const second = this.#second(doneAt)
    second.completed++; second.failed++
    bumpError(this.totals, cause); bumpError(label.tally, cause); bumpError(kind.tally, cause)
  }

  /** Encodes everything and frees the histograms; the recorder is unusable afterwards. */
  finish (meta: Pick<RunData, 'thread' | 'measureStartEpochMs' | 'endEpochMs' | 'durationMs' | 'aborted' | 'health'>): RunData {
    this.#closeSecond()
    const groups = (map: Map<string, Group>): RunData['byLabel'] => {
      const out: RunData['byLabel'] = {}
      for (const [name, group] of map) {
        out[name] = { tally: group.tally, latency: group.latency.encode() }
        group.latency.destroy()
      }
      return out
    }
    const data: RunData = {
      ...meta,
      lastAnswerEpochMs: this.#lastAnswerAt === 0 ? 0 : performance.timeOrigin + this.#lastAnswerAt,
      totals: this.totals,
      corrected: this.corrected.encode(),
      uncorrected: this.uncorrected.encode(),
      sendLag: this.sendLag.encode(),
      byLabel: groups(this.#labels),
      byKind: groups(this.#kinds),
      series: Array.from({ length: this.#seconds.length }, (_, i) => this.#seconds[i] ?? emptySecond()),
    }
    for (const h of [this.corrected, this.uncorrected, this.sendLag, this.#secondLatency]) h.destroy()
    return data
  }

  #second (at: number): Second {
    return this.#secondAt(at < this.measureStart ? 0 : Math.floor((at - this.measureStart) / 1000))
  }

  #secondAt (index: number): Second {
    let second = this.#seconds[index]
    if (second === undefined) {
      // Seconds with no activity at all stay holes until `finish` fills them.
      second = emptySecond()
      this.#seconds[index] = second
    }
    return second
  }

  #recordSecondLatency (doneAt: number, corrected: number): void {
    const index = Math.floor((doneAt - this.measureStart) / 1000)
    if (index > this.#latencySecond) {
      this.#closeSecond()
      this.#latencySecond = index
    }
    this.#secondLatency.recordMillis(corrected)
  }

  #closeSecond (): void {
    if (this.#latencySecond < 0 || this.#secondLatency.count === 0) return
    this.#secondAt(this.#latencySecond).histogram = this.#secondLatency.encode()
    this.#secondLatency.reset()
  }
}

function bumpStatus (t: Tally, status: number): void {
  t.responses++
  if (status < 200 || status >= 600) t.sOther++
  else if (status < 300) t.s2xx++
  else if (status < 400) t.s3xx++
  else if (status === 429) t.s429++
  else if (status < 500) t.s4xx++
  else t.s5xx++
}

function bumpError (t: Tally, cause: ErrorCause): void {
  if (cause === 'timeout') t.timeout++
  else if (cause === 'refused') t.refused++
  else if (cause === 'reset') t.reset++
  else t.otherErrors++
}
