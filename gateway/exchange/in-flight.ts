// The exchanges whose answers have not left yet, by connection: what a refusal from Node's HTTP
// parser (a body that breaks its framing, the whole-request timeout) belongs to, and what a stop
// must wait for before the transaction log closes.
import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import type { ClientErrorListener } from '../../common/client-errors.js'
import type { NdxpError } from '../../contracts/errors.js'
import { outcomeOf, type ExchangeState } from './exchange-state.js'

interface Entry { readonly exchange: ExchangeState, readonly reply: FastifyReply }

export class InFlightExchanges {
  // HTTP/1.1 answers one request per connection at a time, pipelined ones included.
  private readonly bySocket = new Map<Socket, Entry>()
  private drained: (() => void) | undefined

  track (socket: Socket, exchange: ExchangeState, reply: FastifyReply): void {
    this.bySocket.set(socket, { exchange, reply })
  }

  release (socket: Socket, exchange: ExchangeState): void {
    if (this.bySocket.get(socket)?.exchange !== exchange) return
    this.bySocket.delete(socket)
    if (this.bySocket.size === 0) this.drained?.()
  }

  /** Node refused the rest of a request the hub was handling: its record takes that answer. */
  readonly refused: ClientErrorListener = (socket: Socket, problem: NdxpError) => {
    const entry = this.bySocket.get(socket)
    if (entry === undefined || entry.exchange.recorded || entry.reply.raw.headersSent) return undefined
    const exchange = entry.exchange
    exchange.faultCode = problem.code
    exchange.outcome = outcomeOf(problem.code)
    exchange.answeredStatus = problem.statusCode
    return { headers: { 'x-road-error': problem.code, 'x-road-id': exchange.messageId }, transactionId: exchange.id }
  }

  /** Resolves once every tracked exchange is recorded, or after `timeoutMs`. */
  async settled (timeoutMs: number): Promise<void> {
    if (this.bySocket.size === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.drained = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
