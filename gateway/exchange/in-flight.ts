// The exchanges whose answers have not left yet: what a refusal from Node's HTTP parser (a body that
// breaks its framing, the whole-request timeout) belongs to, and what a stop must wait for before the
// transaction log closes. Kept on each response object and as a count: a Map of live exchanges by
// connection measured a fifth more CPU per exchange in the hub benchmark (the cause was not pinned
// down; what it kept reachable from a long-lived structure is the likely one).
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { ClientErrorAnswer, ClientErrorListener } from '../../common/client-errors.js'
import type { NdxpError } from '../../contracts/errors.js'
import { markFault, type ExchangeState } from './exchange-state.js'

const EXCHANGE = Symbol('ndxp.exchange')

type TrackedResponse = ServerResponse & { [EXCHANGE]?: ExchangeState }

export class InFlightExchanges {
  private count = 0
  private drained: (() => void) | undefined

  track (response: ServerResponse, exchange: ExchangeState): void {
    (response as TrackedResponse)[EXCHANGE] = exchange
    this.count++
  }

  /** Once per tracked exchange, when it is recorded. */
  release (): void {
    if (--this.count === 0) this.drained?.()
  }

  /**
   * Node refused the rest of a request the hub was handling: its record takes that answer. Refused
   * before any request was read (`unparsed`): the answer is a new exchange of its own.
   */
  refusals (unparsed: (problem: NdxpError) => ClientErrorAnswer): ClientErrorListener {
    return (socket: Socket, problem: NdxpError) => {
      // The response in progress on a connection: Node's own client-error handler reads it the same way.
      const response = (socket as Socket & { _httpMessage?: TrackedResponse | null })._httpMessage
      return response === undefined || response === null ? unparsed(problem) : this.refused(response, problem)
    }
  }

  private refused (response: TrackedResponse, problem: NdxpError): ClientErrorAnswer | undefined {
    const exchange = response[EXCHANGE]
    // Not an exchange (a management route), or one already answered.
    if (exchange === undefined || exchange.recorded || response.headersSent) return undefined
    markFault(exchange, problem.code)
    exchange.answeredStatus = problem.statusCode
    return { headers: { 'x-road-error': problem.code, 'x-road-id': exchange.messageId }, transactionId: exchange.id }
  }

  /** Resolves once every tracked exchange is recorded, or after `timeoutMs`. */
  async settled (timeoutMs: number): Promise<void> {
    if (this.count === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.drained = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
