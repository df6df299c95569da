// Carrying out each fault kind on a live request: delays, problem answers, hangs, resets and truncated bodies.
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { NdxpError, type ErrorCode } from '../../contracts/errors.js'
import { sendProblem, type ProblemPluginOptions } from '../../common/problem-plugin.js'

/**
 * What faults hold open — delay timers and hung sockets — so that closing the server lets go of all
 * of it at once: `app.close()` must not wait for a five-minute delay or a hang that never ends.
 */
export class InFlight {
  readonly #delays = new Set<() => void>()
  readonly #held = new Set<Socket>()
  #closing = false

  /** Waits at least `ms` (timers may fire a little early, so the remainder is waited again). */
  delay (ms: number, socket: Socket | null): Promise<void> {
    if (this.#closing || ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const started = performance.now()
      let timer: NodeJS.Timeout | undefined
      const finish = (): void => {
        clearTimeout(timer)
        this.#delays.delete(finish)
        socket?.off('close', finish)
        resolve()
      }
      const arm = (wait: number): void => {
        timer = setTimeout(() => {
          const left = ms - (performance.now() - started)
          if (left > 0) arm(Math.ceil(left))
          else finish()
        }, wait)
      }
      arm(ms)
      this.#delays.add(finish)
      // A client that gives up mid-delay must not leave a timer behind.
      socket?.once('close', finish)
    })
  }

  /** Keeps the socket open without answering until the client leaves or the server closes. */
  hold (socket: Socket | null): void {
    if (socket == null) return
    if (this.#closing) {
      socket.destroy()
      return
    }
    this.#held.add(socket)
    socket.once('close', () => this.#held.delete(socket))
  }

  /** From preClose: end every delay early and drop hung sockets, so server.close() can finish. */
  release (): void {
    this.#closing = true
    for (const finish of [...this.#delays]) finish()
    for (const socket of this.#held) socket.destroy()
    this.#held.clear()
  }
}

/** A catalogue error answered with the status the rule chose rather than the code's usual one. */
class InjectedError extends NdxpError {
  override readonly statusCode: number

  constructor (code: ErrorCode, status: number, detail: string, headers: Record<string, string>) {
    super(code, detail, { headers })
    this.statusCode = status
  }
}

/** The catalogue's own code for each status it has one for, as a real service would answer it. */
const CODE_OF_STATUS = new Map<number, ErrorCode>([
  [400, 'client.bad_request'], [401, 'client.unauthenticated'], [403, 'client.access_denied'], [404, 'client.not_found'],
  [405, 'client.method_not_allowed'], [408, 'client.request_timeout'], [409, 'client.conflict'], [413, 'client.payload_too_large'],
  [415, 'client.unsupported_media_type'], [429, 'client.rate_limited'], [431, 'client.headers_too_large'],
  [500, 'server.internal'], [502, 'server.provider_unreachable'], [503, 'server.service_down'], [504, 'server.provider_timeout'],
])

/** A status the catalogue has no code for takes its class's general one: client.bad_request or server.internal. */
export function errorCodeFor (status: number): ErrorCode {
  return CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'server.internal' : 'client.bad_request')
}

export function answerError (reply: FastifyReply, ruleId: string, status: number, problem: ProblemPluginOptions): FastifyReply {
  const detail = `Fault rule "${ruleId}" injected status ${status}; remove it with DELETE /_node/faults/${ruleId}.`
  // A 429 or 503 says when to come back, as the real ones do: clients' retry logic gets exercised too.
  const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '1' } : {}
  return sendProblem(reply, new InjectedError(errorCodeFor(status), status, detail, headers), problem)
}

export function answerDown (reply: FastifyReply, ruleId: string, problem: ProblemPluginOptions): FastifyReply {
  const detail = `The service is down (fault rule "${ruleId}"); retry later, or remove the rule with DELETE /_node/faults/${ruleId}.`
  return sendProblem(reply, new NdxpError('server.service_down', detail), problem)
}

export function hang (reply: FastifyReply, inFlight: InFlight): void {
  // Hijacked: Fastify stops the lifecycle here and will not answer on its own.
  reply.hijack()
  inFlight.hold(reply.raw.socket)
}

export function reset (reply: FastifyReply): void {
  reply.hijack()
  const socket = reply.raw.socket
  if (socket == null) return
  // An RST rather than a FIN: the client sees ECONNRESET, as when a database host crashes.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
  else socket.destroy()
}

/** Truncation needs a body: not on HEAD, 1xx, 204 or 304, where HTTP forbids one. */
export function canCarryBody (request: FastifyRequest, reply: FastifyReply): boolean {
  const status = reply.statusCode
  return request.method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304
}

async function bytesOf (payload: unknown): Promise<Buffer> {
  if (typeof payload === 'string') return Buffer.from(payload)
  if (Buffer.isBuffer(payload)) return payload
  if (payload instanceof Readable) {
    const chunks: Buffer[] = []
    for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return Buffer.concat(chunks)
  }
  return Buffer.alloc(0)
}

/**
 * Replaces the payload with a stream of its first `keepFraction`, while Content-Length still announces
 * the whole body; once that part is on the wire the socket is destroyed, so the client sees a premature
 * close instead of a short but well-formed answer. (Node does not enforce Content-Length unless told to.)
 */
export async function truncatePayload (reply: FastifyReply, payload: unknown, keepFraction: number): Promise<Readable> {
  const body = await bytesOf(payload)
  // An empty body still has to come up short, so it announces one byte it never sends.
  const announced = Math.max(body.length, 1)
  const kept = Math.min(Math.floor(body.length * keepFraction), announced - 1)
  reply.header('content-length', String(announced))
  const socket = reply.raw.socket
  reply.raw.once('finish', () => socket?.destroy())
  return Readable.from([body.subarray(0, kept)], { objectMode: false })
}
