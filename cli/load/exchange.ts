// The hot path: dispatching planned requests through an undici pool and recording how each one ended.
import { performance } from 'node:perf_hooks'
import type { Dispatcher } from 'undici'
import type { ErrorCause, Group, RunRecorder } from './recorder.js'
import type { PlannedRequest } from './types.js'

/** The engine's own per-request timeout (undici's timers only fire to within about a second). */
export class LoadTimeoutError extends Error {
  readonly code = 'NDXP_LOAD_TIMEOUT'
  constructor (timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`)
    this.name = 'LoadTimeoutError'
  }
}

/** Maps an undici or socket error to the causes a report distinguishes. */
export function errorCause (err: unknown): ErrorCause {
  const code = (err as { code?: unknown } | null)?.code
  switch (code) {
    case 'NDXP_LOAD_TIMEOUT': case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': case 'UND_ERR_CONNECT_TIMEOUT': case 'ETIMEDOUT':
      return 'timeout'
    case 'ECONNREFUSED':
      return 'refused'
    case 'ECONNRESET': case 'EPIPE': case 'UND_ERR_SOCKET':
      return 'reset'
    default:
      return 'other'
  }
}

/**
 * One request in flight, and its undici handler. Instances are recycled through a free list and the
 * handler methods live on the prototype, so a request costs no closures and, in steady state, no
 * allocation here beyond undici's own. It implements undici's older handler interface (onHeaders,
 * onData, onComplete) because undici 7's Client speaks that one natively: a new-style handler would
 * be wrapped per request in an adapter that also parses every response's headers into an object.
 * In flight, it is also a node of the transport's list in dispatch order, which the timeout sweep reads.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly transport: Transport
  label: Group | null = null
  kind: Group | null = null
  due = 0
  sentAt = 0
  deadline = 0
  status = 0
  slot = -1
  abort: ((err?: Error) => void) | null = null
  prev: Exchange | null = null
  next: Exchange | null = null

  constructor (transport: Transport) {
    this.transport = transport
  }

  onConnect (abort: (err?: Error) => void): void {
    // undici calls this just before writing the request to a connection: the actual send. Until then the
    // request may wait in the pool's queue for a free connection, which only the due time accounts for.
    this.sentAt = performance.now()
    this.abort = abort
    if (this.sentAt >= this.deadline) this.transport.expire(this)
  }

  onHeaders (statusCode: number): boolean {
    this.status = statusCode
    return true
  }

  onData (): boolean {
    // The body is read and dropped: only its arrival matters.
    return true
  }

  onComplete (): void {
    this.transport.settle(this, null)
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
  readonly #dispatcher: Dispatcher
  readonly #recorder: RunRecorder
  readonly #timeoutMs: number
  readonly #lateToleranceMs: number
  readonly #free: Exchange[] = []
  readonly #sweeper: NodeJS.Timeout
  #oldest: Exchange | null = null
  #newest: Exchange | null = null
  #idleWaiters: Array<() => void> = []
  #discarding = false

  constructor (dispatcher: Dispatcher, recorder: RunRecorder, options: TransportOptions) {
    this.#dispatcher = dispatcher
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
    x.abort = null
    x.sentAt = dispatchedAt
    x.deadline = dispatchedAt + this.#timeoutMs
    if (measured) {
      x.label = this.#recorder.label(request.label)
      x.kind = this.#recorder.kind(request.kind)
      this.#recorder.sent(x.label, x.kind, due, dispatchedAt, dispatchedAt - due > this.#lateToleranceMs)
    } else {
      x.label = null
      x.kind = null
    }
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight
    this.#append(x)
    this.#dispatcher.dispatch({
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body ?? null,
      // undici's own timers, about a second coarse, stay as a backstop behind the sweep.
      headersTimeout: this.#timeoutMs + 1_000,
      bodyTimeout: this.#timeoutMs + 1_000,
    }, x)
  }

  /** A due request not sent because `maxInFlight` were in flight. */
  drop (request: PlannedRequest, due: number, measured: boolean): void {
    if (measured) this.#recorder.dropped(this.#recorder.label(request.label), this.#recorder.kind(request.kind), due)
  }

  settle (x: Exchange, err: Error | null): void {
    const doneAt = performance.now()
    this.inFlight--
    this.#unlink(x)
    if (x.label !== null && x.kind !== null && !this.#discarding) {
      if (err === null) this.#recorder.response(x.label, x.kind, x.status, x.due, x.sentAt, doneAt)
      else this.#recorder.error(x.label, x.kind, errorCause(err), doneAt)
    }
    const slot = x.slot
    x.label = null
    x.kind = null
    x.abort = null
    this.#free.push(x)
    if (slot >= 0 && this.onSettle !== null) this.onSettle(slot, doneAt)
    if (this.inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Aborts a request past its deadline; undici then reports it through `onError`. */
  expire (x: Exchange): void {
    x.abort?.(new LoadTimeoutError(this.#timeoutMs))
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
  // Requests still queued for a connection have no abort yet; they expire in `onConnect` instead.
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
