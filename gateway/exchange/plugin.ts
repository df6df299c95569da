// The exchange path as one Fastify plugin: `/r1/*` for every method, bodies streamed through
// untouched, the pipeline read top to bottom in `handle`, and a record for every answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { maskPersonalNumbers } from '../../common/logging.js'
import type { ClientErrorAnswer } from '../../common/client-errors.js'
import { normalizeError, sendProblem } from '../../common/problem-plugin.js'
import { NdxpError } from '../../contracts/errors.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import type { RateLimiter } from '../rate-limit/limiter.js'
import type { RegistryCache } from '../registry-cache.js'
import { authenticate, checkIdentity, resolveAndAuthorize } from './authorize.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { hubMsOf, markFault, newExchange, toRecord, type ExchangeState } from './exchange-state.js'
import type { InFlightExchanges } from './in-flight.js'
import { relayToProvider, setExchangeHeaders } from './relay.js'
import { applyRateLimits } from './limits.js'
import { parseClientHeader, parseServiceCall } from './parse-request.js'
import { hashUserId } from './ids.js'

export interface ExchangeOptions {
  readonly registry: RegistryCache
  readonly limiter: RateLimiter
  readonly dispatcher: Dispatcher
  readonly breaker: CircuitBreaker
  /**
   * Takes each finished exchange and the hub's own share of its time (ms: from arrival to the last
   * byte of the answer, less the wait for the provider); must not block (the writer only queues it).
   */
  readonly record: (record: TransactionRecord, hubMs: number) => void
  readonly gatewayId: string
  readonly userIdSecret: string
  readonly bodyLimit: number
  /** A node whose last heartbeat is older than this is treated as down. */
  readonly heartbeatStaleMs: number
  readonly clock: () => number
  readonly inFlight: InFlightExchanges
}

/** The status recorded for an exchange whose client left before any answer (nginx's "client closed request"). */
export const CLIENT_CLOSED = 499

declare module 'fastify' {
  interface FastifyRequest {
    exchange: ExchangeState | null
  }
}

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

export async function exchangePlugin (app: FastifyInstance, options: ExchangeOptions): Promise<void> {
  app.decorateRequest('exchange', null)
  // Bodies stay streams: the hub relays them, it never parses a provider's payload.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })

  // Hooks with callbacks, not async functions: on every exchange, a promise less for each.
  app.addHook('onRequest', (request, reply, done) => {
    const exchange = newExchange(options.clock(), request.method)
    request.exchange = exchange
    options.inFlight.track(reply.raw, exchange)
    // 'close' fires for every response, also when a streamed answer broke off and Fastify skipped
    // onResponse, or when the client left before any answer: the backstop that keeps every exchange recorded.
    reply.raw.once('close', () => finish(exchange, reply, options))
    done()
  })

  app.setErrorHandler((error, request, reply) => {
    const normalized = normalizeError(error as Error)
    const exchange = request.exchange
    if (exchange !== null) {
      markFault(exchange, normalized.code)
      setExchangeHeaders(reply, exchange)
    }
    if (normalized.code === 'server.internal') request.log.error({ err: error }, 'exchange failed unexpectedly')
    return sendProblem(reply, normalized, { errorHeader: 'X-Road-Error', transactionIdOf: (r) => r.exchange?.id })
  })

  app.addHook('onResponse', (request, reply, done) => {
    if (request.exchange !== null) finish(request.exchange, reply, options)
    done()
  })

  app.route({ method: [...METHODS], url: '/r1/*', handler: (request, reply) => handle(request, reply, options) })
}

function finish (exchange: ExchangeState, reply: FastifyReply, options: ExchangeOptions): void {
  if (exchange.recorded) return
  exchange.recorded = true
  options.inFlight.release()
  let status = reply.statusCode
  if (exchange.answeredStatus !== null) {
    status = exchange.answeredStatus
  } else if (!reply.raw.headersSent) {
    // The client went away before the hub answered: no answer, whatever the provider later says.
    status = CLIENT_CLOSED
    exchange.outcome = 'abandoned'
  } else if (exchange.faultCode !== null && exchange.responseSize === 0) {
    exchange.responseSize = Number(reply.getHeader('content-length') ?? 0)
  }
  options.record(toRecord(exchange, status, options.clock(), options.gatewayId), hubMsOf(exchange))
}

/**
 * An exchange refused before it reached the exchange route (a URL Fastify cannot route, a method
 * the hub does not relay): answered as a problem with the X-Road headers, and recorded like any other.
 */
export function refuseUnrouted (reply: FastifyReply, problem: NdxpError, options: Pick<ExchangeOptions, 'record' | 'clock' | 'gatewayId'>): FastifyReply {
  const exchange = newExchange(options.clock(), reply.request.method)
  markFault(exchange, problem.code)
  reply.raw.once('close', () => {
    if (!reply.raw.headersSent) exchange.outcome = 'abandoned'
    options.record(toRecord(exchange, reply.raw.headersSent ? problem.statusCode : CLIENT_CLOSED, options.clock(), options.gatewayId), hubMsOf(exchange))
  })
  reply.header('x-road-id', exchange.id)
  return sendProblem(reply, problem, { errorHeader: 'X-Road-Error', transactionIdOf: () => exchange.id })
}

/**
 * A request Node's parser refused before it was a request at all (a broken request line, headers
 * over the limit or not received in time): the hub still answers it, so it is recorded, with nothing
 * known of it but the refusal (no method, no parties: what arrived cannot be trusted to name them).
 */
export function refuseUnparsed (problem: NdxpError, options: Pick<ExchangeOptions, 'record' | 'clock' | 'gatewayId'>): ClientErrorAnswer {
  const exchange = newExchange(options.clock(), '')
  markFault(exchange, problem.code)
  return {
    headers: { 'x-road-error': problem.code, 'x-road-id': exchange.id },
    transactionId: exchange.id,
    answered: () => { options.record(toRecord(exchange, problem.statusCode, options.clock(), options.gatewayId), hubMsOf(exchange)) },
  }
}

/**
 * The pipeline, top to bottom. Not an async function: the checks run synchronously, and the only
 * waits are a limiter that must ask its store and the provider itself, so the common exchange pays
 * for no promise it does not need (Fastify takes a thrown error or a returned promise alike).
 */
function handle (request: FastifyRequest, reply: FastifyReply, options: ExchangeOptions): Promise<FastifyReply> {
  const exchange = request.exchange as ExchangeState
  const headers = request.headers
  const messageId = headers['x-road-id']
  if (typeof messageId === 'string' && messageId !== '') {
    if (messageId.length > 200) throw new NdxpError('client.bad_request', 'X-Road-Id must be at most 200 characters')
    exchange.messageId = messageId
  }
  const userId = headers['x-road-userid']
  if (typeof userId === 'string' && userId !== '') exchange.userIdHash = hashUserId(userId, options.userIdSecret)
  const issue = headers['x-road-issue']
  // Masked before it is cut: a personal number across the cut would otherwise keep its first digits.
  if (typeof issue === 'string' && issue !== '') exchange.issue = maskPersonalNumbers(issue).slice(0, 500)

  const view = options.registry.current
  exchange.call = parseServiceCall(request.url)
  const member = authenticate(view, headers.authorization)
  exchange.keyOwner = { instance: view.instance, memberClass: member.memberClass, memberCode: member.code }
  exchange.client = parseClientHeader(headers['x-road-client'])
  checkIdentity(view, member, exchange.client)
  const resolved = resolveAndAuthorize(view, request.method, exchange.call, exchange.client)
  exchange.restPattern = resolved.endpoint.pattern
  exchange.providerNodeId = resolved.service.service.nodeId
  const limited = applyRateLimits(reply, options.limiter, member, view.limitKey(member), resolved.grant, options.clock())
  const body = request.body as Readable | undefined
  if (limited === undefined) return relayToProvider(request, reply, resolved, options, body)
  return limited.then(() => relayToProvider(request, reply, resolved, options, body))
}
