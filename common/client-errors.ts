// Requests Node's HTTP parser refuses before any framework sees them (a malformed request line,
// header or chunk; headers over the size limit; a request not received within the whole-request
// timeout), answered as problem+json with a catalogue code like every other error. Fastify's own
// handler answers them with a bare JSON body.
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { NdxpError, toProblem } from '../contracts/errors.js'
import { PROBLEM_CONTENT_TYPE } from './problem-plugin.js'

/**
 * What a server adds to the answer of a refused request (the hub: its exchange's headers), and
 * `answered`, called once that answer is written (the hub records it then: no answer, no record).
 */
export interface ClientErrorAnswer {
  headers?: Record<string, string>
  transactionId?: string
  answered?: () => void
}
export type ClientErrorListener = (socket: Socket, problem: NdxpError) => ClientErrorAnswer | undefined

export function problemFor (error: NodeJS.ErrnoException, requestTimeoutMs: number): NdxpError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const within = requestTimeoutMs > 0 ? `within ${requestTimeoutMs / 1000} s` : 'in time'
    return new NdxpError('client.request_timeout', `the whole request must arrive ${within}; send the body without pauses, or in smaller requests`)
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') return new NdxpError('client.headers_too_large', 'the request line and headers exceed 16 KiB; send fewer or shorter headers')
  const reason = error.code?.startsWith('HPE_') === true ? error.code.slice(4).toLowerCase().replaceAll('_', ' ') : 'malformed'
  return new NdxpError('client.bad_request', `the request is not valid HTTP/1.1 (${reason}); check the request line, header names and values, and the body's framing`)
}

/** A Fastify `clientErrorHandler`: answers on the raw socket (when nothing has been answered on it yet), then closes it. */
export function problemClientErrorHandler (requestTimeoutMs: number, listener?: ClientErrorListener) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset means the client is gone: there is no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const problem = problemFor(error, requestTimeoutMs)
    const extra = listener?.(socket, problem)
    // Node's own handler checks the same: an answer already begun on this socket must not be garbled.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (socket.writable && inFlight?.headersSent !== true) {
      const body = JSON.stringify(toProblem(problem, undefined, extra?.transactionId))
      const headers = Object.entries(extra?.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('')
      socket.write(`HTTP/1.1 ${problem.statusCode} ${STATUS_CODES[problem.statusCode] ?? ''}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`)
      extra?.answered?.()
    }
    socket.destroy(error)
  }
}
