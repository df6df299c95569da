// The hot path: dispatching planned requests through the raw HTTP pool and recording how each one ended.
import { performance } from 'node:perf_hooks'
import { SOCKET_CLOSED, type Connection, type RawExchange } from './raw-http-connection.js'
import type { RawHttpPool } from './raw-http.js'
import type { ErrorCause, Group, RunRecorder } from './recorder.js'
import type { PlannedRequest } from './types.js'

/** The engine's own per-request timeout, swept by the transport. */
export class LoadTimeoutError extends Error {
  readonly code = 'NDXP_LOAD_TIMEOUT'
  constructor (timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`)
    this.name = 'LoadTimeoutError'
  }
}

/** Maps a socket or client error to the causes a report distinguishes (undici's codes too, for callers of it). */
export function errorCause (err: unknown): ErrorCause {
  const code = (err as { code?: unknown } | null)?.code
  switch (code) {
    case 'NDXP_LOAD_TIMEOUT': case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': case 'UND_ERR_CONNECT_TIMEOUT': case 'ETIMEDOUT':
      return 'timeout'
    case 'ECONNREFUSED':
      return 'refused'
    case 'ECONNRESET': case 'EPIPE': case 'UND_ERR_SOCKET': case SOCKET_CLOSED:
      return 'reset'
    default:
      return 'other'
  }
}

/**
 * One request, from dispatch to its ending. Instances are recycled through a free list and the pool's
 * callbacks live on the prototype, so a request costs no closures and, in steady state, no allocation
 * here. In flight, it is also a node of the transport's list in dispatch order, which the timeout sweep
 * reads; while it waits for a connection, a node of the pool's queue too.
 */
class Exchange implements RawExchange {
  readonly transport: Transport
  request: PlannedRequest | null = null
  conn: Connection | null = null
  waiting = false
  waitNext: RawExchange | null = null
  waitPrev: RawExchange | null = null
  label: Group | null = null
  kind: Group | null = null
  due = 0
  sentAt = 0
  /** Counted late already (at dispatch, or when it was finally written). */
  late = false
  deadline = 0
  status = 0
  slot = -1
  prev: Exchange | null = null
  next: Exchange | null = null

  constructor (transport: Transport) {
    this.transport = transport
  }

  onSent (at: number): void {
    // Written to a connection: the actual send. Until then the request may have waited in the pool's
    // queue for a free connection, which only the due time accounts for.
    this.sentAt = at
    if (!this.late) this.transport.written(this, at)
  }

  onResponse (status: number, _bodyBytes: number, at: number): void {
    this.status = status
    this.transport.settle(this, null, at)
  }

  onError (err: Error): void {
    this.transport.settle(this, err)
  }
}

export interface TransportOptions {
  readonly timeoutMs: number
  readonly lateToleranceMs: number
}

/** Counts what is in flight, sends, times requests out, and turns each ending into recorder calls. */
export class Transport {
  inFlight = 0
  peakInFlight = 0
  /** Closed model: told when a slot's request has ended, to send its next one. */
  onSettle: ((slot: number, doneAt: number) => void) | null = null
  readonly #pool: RawHttpPool
  readonly #recorder: RunRecorder
  readonly #timeoutMs: number
  readonly #lateToleranceMs: number
  readonly #free: Exchange[] = []
  readonly #sweeper: NodeJS.Timeout
  #oldest: Exchange | null = null
  #newest: Exchange | null = null
  #idleWaiters: Array<() => void> = []
  #discarding = false

  constructor (pool: RawHttpPool, recorder: RunRecorder, options: TransportOptions) {
    this.#pool = pool
    this.#recorder = recorder
    this.#timeoutMs = options.timeoutMs
    this.#lateToleranceMs = options.lateToleranceMs
    // A tenth of the timeout between sweeps (5–100 ms): timeouts land within 10% of their length.
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(100, Math.max(5, options.timeoutMs / 10)))
    this.#sweeper.unref()
  }

  /** Sends `request`, due at `due` (performance clock); `measured` is false during warm-up. */
  send (request: PlannedRequest, due: number, measured: boolean, slot: number): void {
    const x = this.#free.pop() ?? new Exchange(this)
    const dispatchedAt = performance.now()
    x.due = due
    x.status = 0
    x.slot = slot
    x.request = request
    x.sentAt = dispatchedAt
    x.deadline = dispatchedAt + this.#timeoutMs
    x.late = dispatchedAt - due > this.#lateToleranceMs
    if (measured) {
      x.label = this.#recorder.label(request.label)
      x.kind = this.#recorder.kind(request.kind)
      this.#recorder.sent(x.label, x.kind, due, dispatchedAt, x.late)
    } else {
      x.label = null
      x.kind = null
    }
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight
    this.#append(x)
    this.#pool.dispatch(x, dispatchedAt)
  }

  /**
   * `x` was written to a connection at `at`. Dispatched on time, it may still have waited for a free
   * connection in the pool's queue: a send is late by when it leaves, not by when it was handed over.
   */
  written (x: Exchange, at: number): void {
    if (at - x.due <= this.#lateToleranceMs) return
    x.late = true
    if (x.label !== null && x.kind !== null) this.#recorder.lateWrite(x.label, x.kind, at)
  }

  /** A due request not sent because `maxInFlight` were in flight. */
  drop (request: PlannedRequest, due: number, measured: boolean): void {
    if (measured) this.#recorder.dropped(this.#recorder.label(request.label), this.#recorder.kind(request.kind), due)
  }

  /** `x` ended at `doneAt` (performance clock; now, by default), with `err` or a response. */
  settle (x: Exchange, err: Error | null, doneAt = performance.now()): void {
    this.inFlight--
    this.#unlink(x)
    if (x.label !== null && x.kind !== null && !this.#discarding) {
      if (err === null) this.#recorder.response(x.label, x.kind, x.status, x.due, x.sentAt, doneAt)
      else this.#recorder.error(x.label, x.kind, errorCause(err), doneAt)
    }
    const slot = x.slot
    x.label = null
    x.kind = null
    x.request = null
    this.#free.push(x)
    if (slot >= 0 && this.onSettle !== null) this.onSettle(slot, doneAt)
    if (this.inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Ends a request past its deadline, queued or on a connection (which is then closed: its framing is lost). */
  expire (x: Exchange): void {
    this.#pool.abort(x, new LoadTimeoutError(this.#timeoutMs))
  }

  /** Resolves once nothing is in flight. */
  idle (): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** From now on endings are not recorded: the run is over and what remains is being cancelled. */
  discard (): void {
    this.#discarding = true
  }

  close (): void {
    clearInterval(this.#sweeper)
  }

  // In dispatch order, so the deadlines are in order too and a sweep stops at the first one not yet due.
  #sweep (): void {
    const now = performance.now()
    let x = this.#oldest
    while (x !== null && x.deadline <= now) {
      const next = x.next
      this.expire(x)
      x = next
    }
  }

  #append (x: Exchange): void {
    x.next = null
    x.prev = this.#newest
    if (this.#newest === null) this.#oldest = x
    else this.#newest.next = x
    this.#newest = x
  }

  #unlink (x: Exchange): void {
    if (x.prev === null) this.#oldest = x.next
    else x.prev.next = x.next
    if (x.next === null) this.#newest = x.prev
    else x.next.prev = x.prev
    x.prev = null
    x.next = null
  }
}
