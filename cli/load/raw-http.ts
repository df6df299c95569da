// The load engine's HTTP/1.1 client: up to N keep-alive connections (raw-http-connection.ts) with one
// request in flight on each, opened as requests need them, and a queue of requests waiting for one.
import { performance } from 'node:perf_hooks'
import { Connection, POOL_DESTROYED, RawHttpError, SOCKET_CLOSED, type ConnectionOwner, type RawExchange } from './raw-http-connection.js'

export interface RawHttpOptions {
  /** Sockets kept open to the target at most; one request in flight on each. */
  readonly connections: number
  readonly connectTimeoutMs: number
  /** The longest pause between connection attempts to a target that refuses them (default 500 ms). */
  readonly maxBackoffMs?: number
}

/** Below Node's default keep-alive timeout (5 s): an older idle socket may be closing on the server side as we write. */
const IDLE_REUSE_MS = 4_000
const FIRST_BACKOFF_MS = 10
/** One read buffer for every socket: reads are handled synchronously one at a time, and only an unfinished head is copied out. */
const READ_BUFFER_BYTES = 64 * 1024

/** Up to `connections` sockets to one http origin, opened as requests need them. */
export class RawHttpPool implements ConnectionOwner {
  readonly #host: string
  readonly #port: number
  readonly #hostHeader: string
  readonly #max: number
  readonly #connectTimeoutMs: number
  readonly #maxBackoffMs: number
  readonly #readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)
  readonly #all = new Set<Connection>()
  /** Connected sockets with nothing in flight, most recently used last. */
  readonly #idle: Connection[] = []
  #connecting = 0
  #live = 0
  #waitHead: RawExchange | null = null
  #waitTail: RawExchange | null = null
  #waiting = 0
  /** Connection attempts in a row that failed before anything was answered: the backoff grows with them. */
  #failures = 0
  #failedAt = -Infinity
  #retryAt = 0
  #retryTimer: NodeJS.Timeout | null = null
  #closed = false
  #whenConnected: (() => void) | null = null

  constructor (origin: string, options: RawHttpOptions) {
    const url = new URL(origin)
    if (url.protocol !== 'http:') throw new RangeError(`the raw HTTP client speaks plain http only, not ${url.protocol}`)
    this.#host = url.hostname.replace(/^\[|\]$/g, '')
    this.#port = url.port === '' ? 80 : Number(url.port)
    this.#hostHeader = url.host
    this.#max = options.connections
    this.#connectTimeoutMs = options.connectTimeoutMs
    this.#maxBackoffMs = options.maxBackoffMs ?? 500
  }

  /** Connections open or opening. */
  get size (): number {
    return this.#all.size
  }

  /**
   * Opens every connection at once, before any request needs one, so that the first requests of a run
   * neither wait for connections nor race their set-up. Resolves when none is still connecting, or after `withinMs`.
   */
  async preconnect (withinMs: number): Promise<void> {
    while (!this.#closed && this.#all.size < this.#max) this.#open()
    if (this.#connecting === 0) return
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.#whenConnected = resolve
      timer = setTimeout(resolve, withinMs)
    })
    clearTimeout(timer)
    this.#whenConnected = null
  }

  /** Sends `x.request` on an idle connection, or queues it for the next one free. `now` is the performance clock. */
  dispatch (x: RawExchange, now: number): void {
    if (this.#closed) return x.onError(new RawHttpError(POOL_DESTROYED, 'the load client is closed'))
    const conn = this.#takeIdle(now)
    if (conn !== null) return conn.write(x, this.#hostHeader, now)
    x.waiting = true
    x.waitNext = null
    x.waitPrev = this.#waitTail
    if (this.#waitTail === null) this.#waitHead = x
    else this.#waitTail.waitNext = x
    this.#waitTail = x
    this.#waiting++
    this.#grow()
  }

  /** Ends `x` with `err`: out of the queue, or off its connection, which is closed (its framing is lost). */
  abort (x: RawExchange, err: Error): void {
    if (x.waiting) {
      this.#unqueue(x)
      x.onError(err)
    } else if (x.conn !== null) {
      const conn = x.conn
      conn.current = null
      x.conn = null
      this.kill(conn)
      x.onError(err)
    }
  }

  /** Closes every socket; what is still queued or in flight ends with a POOL_DESTROYED error. */
  destroy (): void {
    this.#closed = true
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer)
    this.#retryTimer = null
    const err = new RawHttpError(POOL_DESTROYED, 'the load client was closed with this request open')
    this.#failWaiting(err)
    for (const conn of [...this.#all]) this.fail(conn, err)
  }

  // The methods below are the connections' side of the pool.

  connected (conn: Connection): void {
    this.#connecting--
    this.#live++
    this.#release(conn, performance.now())
    if (this.#connecting === 0) this.#whenConnected?.()
  }

  /** The response on `conn` is complete; `extra` when bytes followed it that no request asked for. */
  complete (conn: Connection, extra: boolean): void {
    const x = conn.current as RawExchange
    const { status, bodyBytes, close } = conn.parser
    conn.current = null
    x.conn = null
    conn.responses++
    this.#failures = 0
    // The connection is settled first, so that a request sent from the callback may find it free. It is
    // not reused when the answer came before the request was all written (an early 413, say): the
    // server would read the rest of the body as the next request.
    const now = performance.now()
    if (close || extra || conn.socket.writableLength > 0) this.kill(conn)
    else this.#release(conn, now)
    x.onResponse(status, bodyBytes, now)
  }

  /** Fails the request on `conn` with `err` and closes it. */
  fail (conn: Connection, err: Error): void {
    const x = conn.current
    conn.current = null
    this.kill(conn)
    if (x !== null) {
      x.conn = null
      x.onError(err)
    }
  }

  /** Closes `conn` and accounts for it at once, so that a replacement may open before its 'close' event. */
  kill (conn: Connection): void {
    conn.socket.destroy()
    this.lost(conn, null)
  }

  /** `conn` is gone (closed by either side, or failed to connect): its request fails, the queue gets a new connection. */
  lost (conn: Connection, err: Error | null): void {
    if (conn.dead) return
    conn.dead = true
    this.#all.delete(conn)
    if (conn.connected) {
      this.#live--
      const at = this.#idle.indexOf(conn)
      if (at >= 0) this.#idle.splice(at, 1)
    } else {
      this.#connecting--
    }
    const x = conn.current
    if (x !== null) {
      conn.current = null
      x.conn = null
      x.onError(err ?? new RawHttpError(SOCKET_CLOSED, 'the connection closed before the response was complete'))
    }
    // A connection that never answered counts as a failed attempt, closed by us or not: against a target
    // that refuses, or accepts and hangs up, attempts back off instead of spinning. Connections opened
    // together count as one attempt.
    if ((conn.responses === 0 && x !== null) || !conn.connected) {
      const now = performance.now()
      if (conn.openedAt >= this.#failedAt) this.#failures++
      this.#failedAt = now
      this.#retryAt = now + Math.min(this.#maxBackoffMs, FIRST_BACKOFF_MS * 2 ** (this.#failures - 1))
      // Nothing else reaches the target: the requests waiting for a connection fail now, with this cause.
      if (!conn.connected && this.#live === 0 && err !== null) this.#failWaiting(err)
    }
    if (this.#connecting === 0) this.#whenConnected?.()
    this.#grow()
  }

  #takeIdle (now: number): Connection | null {
    let conn = this.#idle.pop()
    while (conn !== undefined && now - conn.idleSince > IDLE_REUSE_MS) {
      // The most recent is too old, so are all below it.
      this.kill(conn)
      conn = this.#idle.pop()
    }
    return conn ?? null
  }

  #release (conn: Connection, now: number): void {
    const next = this.#waitHead
    if (next !== null) {
      this.#unqueue(next)
      conn.write(next, this.#hostHeader, now)
    } else {
      conn.idleSince = now
      this.#idle.push(conn)
    }
  }

  /** Opens connections for waiting requests; against a failing target, one at a time after the backoff. */
  #grow (): void {
    while (!this.#closed && this.#waiting > this.#connecting && this.#all.size < this.#max) {
      if (this.#failures > 0) {
        if (this.#connecting > 0) return
        const wait = this.#retryAt - performance.now()
        if (wait > 0) {
          this.#retryTimer ??= setTimeout(() => {
            this.#retryTimer = null
            this.#grow()
          }, wait)
          return
        }
        this.#open()
        return
      }
      this.#open()
    }
  }

  #open (): void {
    this.#connecting++
    this.#all.add(new Connection(this, this.#host, this.#port, this.#readBuffer, this.#connectTimeoutMs))
  }

  #unqueue (x: RawExchange): void {
    if (x.waitPrev === null) this.#waitHead = x.waitNext
    else x.waitPrev.waitNext = x.waitNext
    if (x.waitNext === null) this.#waitTail = x.waitPrev
    else x.waitNext.waitPrev = x.waitPrev
    x.waitPrev = null
    x.waitNext = null
    x.waiting = false
    this.#waiting--
  }

  /** Fails what waits now; requests that the failures send in turn (a closed model's next ones) wait. */
  #failWaiting (err: Error): void {
    let count = this.#waiting
    while (count-- > 0 && this.#waitHead !== null) {
      const x = this.#waitHead
      this.#unqueue(x)
      x.onError(err)
    }
  }
}

/** One GET on a connection of its own, resolving with the status: a check before a run, not load. */
export function probe (target: string, path: string, timeoutMs: number): Promise<number> {
  const pool = new RawHttpPool(target, { connections: 1, connectTimeoutMs: timeoutMs })
  return new Promise((resolve, reject) => {
    const end = (): void => {
      clearTimeout(timer)
      pool.destroy()
    }
    const x: RawExchange = {
      request: { method: 'GET', path, headers: {}, label: 'probe', kind: 'probe' },
      conn: null,
      waiting: false,
      waitNext: null,
      waitPrev: null,
      onSent: () => {},
      onResponse: (status) => { end(); resolve(status) },
      onError: (err) => { end(); reject(err) },
    }
    const timer = setTimeout(() => pool.abort(x, new RawHttpError('ETIMEDOUT', `no answer within ${timeoutMs} ms`)), timeoutMs)
    pool.dispatch(x, performance.now())
  })
}
