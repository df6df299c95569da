// One keep-alive socket of the load client: writes a request, frames its response with
// raw-http-parser.ts as bytes arrive, and tells its pool how the exchange ended.
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { MALFORMED, NEED_MORE, ResponseParser } from './raw-http-parser.js'
import type { PlannedRequest } from './types.js'

/** A transport failure of this client; `code` sorts it into the report's causes (see `errorCause`). */
export class RawHttpError extends Error {
  constructor (readonly code: string, message: string) {
    super(message)
    this.name = 'RawHttpError'
  }
}
/** The connection closed (or was closed by the server) before the response was complete. */
export const SOCKET_CLOSED = 'NDXP_SOCKET_CLOSED'
/** The server sent something that is not an HTTP/1.1 response. */
export const BAD_RESPONSE = 'NDXP_BAD_RESPONSE'
/** The pool was destroyed with the request still open. */
export const POOL_DESTROYED = 'NDXP_POOL_DESTROYED'

/**
 * A request as the pool sees it: the engine's recycled Exchange implements this, so the pool allocates
 * nothing of its own per request. The link fields belong to the pool.
 */
export interface RawExchange {
  request: PlannedRequest | null
  /** The connection it was written to, while it waits for its response. */
  conn: Connection | null
  /** In the pool's queue, waiting for a connection. */
  waiting: boolean
  waitNext: RawExchange | null
  waitPrev: RawExchange | null
  /** Written to a socket at `at` (performance clock). */
  onSent (at: number): void
  /** Complete at `at` (performance clock). */
  onResponse (status: number, bodyBytes: number, at: number): void
  onError (err: Error): void
}

/** What a connection tells its pool (raw-http.ts); each call happens once per event, on the pool's terms. */
export interface ConnectionOwner {
  connected (conn: Connection): void
  /** The response is complete; `extra` when bytes followed it that no request asked for. */
  complete (conn: Connection, extra: boolean): void
  fail (conn: Connection, err: Error): void
  kill (conn: Connection): void
  lost (conn: Connection, err: Error | null): void
}

/** One socket to the target and the request on it. Its listeners are bound once, for the socket's life. */
export class Connection {
  readonly socket: Socket
  readonly parser = new ResponseParser()
  current: RawExchange | null = null
  connected = false
  /** Closed, or given up on: late events from its socket are ignored. */
  dead = false
  idleSince = 0
  responses = 0
  readonly openedAt = performance.now()
  #error: Error | null = null

  constructor (readonly pool: ConnectionOwner, host: string, port: number, readBuffer: Buffer, connectTimeoutMs: number) {
    this.socket = connect({ host, port, noDelay: true, onread: { buffer: readBuffer, callback: (n, buf) => this.#onRead(n, buf) } })
    this.socket.setTimeout(connectTimeoutMs)
    this.socket.once('connect', () => {
      this.socket.setTimeout(0)
      this.connected = true
      pool.connected(this)
    })
    this.socket.once('timeout', () => {
      if (!this.connected) this.socket.destroy(new RawHttpError('ETIMEDOUT', `no connection to ${host}:${port} within ${connectTimeoutMs} ms`))
    })
    this.socket.on('error', (err) => { this.#error = err })
    this.socket.once('end', () => this.#onEnd())
    this.socket.once('close', () => pool.lost(this, this.#error))
  }

  /** Sends `x` now; the socket is connected and has nothing in flight. */
  write (x: RawExchange, hostHeader: string, now: number): void {
    const request = x.request as PlannedRequest
    this.current = x
    x.conn = this
    this.parser.expect(request.method === 'HEAD')
    this.socket.write(formatRequest(request, hostHeader))
    x.onSent(now)
  }

  #onRead (n: number, buf: Uint8Array): boolean {
    if (this.dead) return false
    const x = this.current
    if (x === null) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.pool.kill(this)
      return false
    }
    const end = this.parser.execute(buf as Buffer, 0, n)
    if (end === NEED_MORE) return true
    if (end === MALFORMED) {
      this.pool.fail(this, new RawHttpError(BAD_RESPONSE, `malformed response: ${this.parser.problem}`))
      return false
    }
    this.pool.complete(this, end < n)
    return true
  }

  #onEnd (): void {
    // A body delimited by the close ends here; anything else in flight is cut off (reported on 'close').
    if (!this.dead && this.current !== null && this.parser.finish()) this.pool.complete(this, false)
  }
}

/** `METHOD path HTTP/1.1`, host, the request's headers, and the body with its length: one string, one write. */
export function formatRequest (request: PlannedRequest, hostHeader: string): string {
  // Header names and values are checked when a scenario is compiled (no CR or LF), so none is escaped here.
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${hostHeader}\r\n`
  const headers = request.headers
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`
  const body = request.body
  return body === undefined ? `${head}\r\n` : `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}
