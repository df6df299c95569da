// The last step of the pipeline: check the provider node can take the call (heartbeat, circuit),
// forward it, and stream the provider's answer back with the X-Road response headers.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { NdxpError } from '../../contracts/errors.js'
import type { ResolvedCall } from './authorize.js'
import { markFault, type ExchangeState } from './exchange-state.js'
import { BrokenAnswer, forward, MeteredStream, transportError } from './forward.js'
import { requestHeadersForProvider, responseHeadersForClient } from './headers.js'
import { bodyHash, EMPTY_BODY_DIGEST, messageHash } from './ids.js'
import type { ExchangeOptions } from './plugin.js'

const FAILING_STATUSES = new Set([502, 503, 504])
/**
 * Answers up to this size with a declared length are read whole, then sent in one write: cheaper than
 * a stream pipeline, and like an X-Road security server, a broken answer becomes a clean 502 instead
 * of a cut-off 200. Larger or unknown-length answers stream through.
 */
const BUFFERED_ANSWER_LIMIT = 256 * 1024

export function setExchangeHeaders (reply: FastifyReply, exchange: ExchangeState): void {
  reply.header('x-road-id', exchange.messageId)
  if (exchange.client !== undefined) reply.header('x-road-client', exchange.client.id)
  if (exchange.call !== undefined) reply.header('x-road-service', exchange.call.serviceId)
  if (exchange.requestHash !== null) reply.header('x-road-request-hash', exchange.requestHash)
}

function checkNodeAvailable (options: ExchangeOptions, nodeId: string, nowMs: number): string {
  const node = options.registry.current.node(nodeId)
  if (node === undefined) throw new NdxpError('server.provider_unreachable', `the service is registered on node ${nodeId}, which is not in the registry`)
  const lastBeat = node.lastHeartbeatAt === null ? undefined : Date.parse(node.lastHeartbeatAt)
  if (node.health === 'down' || (lastBeat !== undefined && nowMs - lastBeat > options.heartbeatStaleMs)) {
    throw new NdxpError('server.provider_unreachable', `node ${nodeId} is down: its last heartbeat was at ${node.lastHeartbeatAt ?? 'never'}`)
  }
  if (!options.breaker.tryPass(nodeId, nowMs, node.baseUrl)) {
    const retryAfter = options.breaker.retryAfterSeconds(nodeId, nowMs)
    throw new NdxpError('server.provider_circuit_open', `node ${nodeId} failed repeatedly; the hub will probe it again in ${retryAfter} s`, { headers: { 'retry-after': String(retryAfter) } })
  }
  return node.baseUrl
}

function requestBody (request: FastifyRequest, parsed: Readable | undefined): Readable | undefined {
  if (parsed !== undefined && parsed !== null) return parsed
  // Without a Content-Type Fastify leaves the body unread; relay it all the same.
  const length = request.headers['content-length']
  const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  return hasBody ? request.raw : undefined
}

export async function relayToProvider (request: FastifyRequest, reply: FastifyReply, resolved: ResolvedCall, options: ExchangeOptions, parsedBody: Readable | undefined): Promise<FastifyReply> {
  const exchange = request.exchange as ExchangeState
  const nodeId = resolved.service.service.nodeId
  const origin = checkNodeAvailable(options, nodeId, options.clock())
  const declaredLength = Number(request.headers['content-length'] ?? 0)
  if (declaredLength > options.bodyLimit) throw new NdxpError('client.payload_too_large', `the request body (${declaredLength} bytes) exceeds the hub's limit of ${options.bodyLimit} bytes`)

  const source = requestBody(request, parsedBody)
  let meter: MeteredStream | undefined
  let clientBodyError: Error | undefined
  if (source !== undefined) {
    meter = new MeteredStream(true, options.bodyLimit)
    source.once('error', (error) => {
      clientBodyError = error
      meter?.destroy(error)
    })
    source.pipe(meter)
  }
  exchange.requestOutTs = options.clock()
  const timeoutMs = resolved.service.service.timeoutMs
  let answer
  // The provider's share of the exchange: from sending the call to holding an answer to relay (its
  // headers for a streamed answer, the whole of a buffered one), or to the failure.
  const sentAt = performance.now()
  try {
    answer = await forward(options.dispatcher, {
      origin,
      path: resolved.upstreamPath + (exchange.call?.query ?? ''),
      method: request.method,
      headers: requestHeadersForProvider(request.headers, exchange.messageId),
      body: meter,
      timeoutMs,
    }, BUFFERED_ANSWER_LIMIT, options.clock)
  } catch (error) {
    exchange.providerWaitMs = performance.now() - sentAt
    if (error instanceof BrokenAnswer) {
      // The headers came, then the answer broke off: a clean 502, never a cut-off 200.
      exchange.responseInTs = error.headersAt
      noteRequest(exchange, request, resolved, meter)
      options.breaker.onFailure(nodeId, origin, options.clock())
      throw transportError(error.cause, nodeId, timeoutMs)
    }
    if (clientBodyError !== undefined) {
      throw new NdxpError('client.bad_request', 'the request body broke off before it was complete (the connection closed, or its chunked framing was invalid)', { cause: clientBodyError })
    }
    const mapped = transportError(error, nodeId, timeoutMs)
    // Only a failure once the provider could have had the whole request counts against it: a body
    // the client was still sending (or that broke the limit) says nothing of the provider's health,
    // and counting it would let one agency open a provider's circuit for every other.
    // Nor does a connection the provider closed while the body was still going up: that is how a
    // provider refuses a body early (its own size limit, say), and a client could repeat it at will.
    const wholeRequestSent = source === undefined || (request.raw.complete && meter?.readableEnded === true)
    if (mapped.code !== 'client.payload_too_large' && wholeRequestSent) options.breaker.onFailure(nodeId, origin, options.clock())
    if (source !== undefined && !request.raw.complete && mapped.code !== 'client.payload_too_large') {
      // The client is still sending: read the rest and drop it, or it would wait (to the request
      // timeout) with an answer it cannot see behind a body nobody reads.
      source.unpipe()
      source.resume()
    }
    if (!wholeRequestSent && mapped.code === 'server.provider_unreachable') {
      throw new NdxpError(mapped.code, `${mapped.message}, while the request body was still being sent: the provider may have refused the body early (a size limit of its own, say)`, { cause: error })
    }
    throw mapped
  }
  exchange.providerWaitMs = performance.now() - sentAt
  exchange.responseInTs = answer.headersAt
  if (FAILING_STATUSES.has(answer.statusCode)) options.breaker.onFailure(nodeId, origin, answer.headersAt)
  else options.breaker.onSuccess(nodeId, origin)
  exchange.outcome = answer.statusCode < 400 ? 'success' : 'provider_error'
  noteRequest(exchange, request, resolved, meter)

  reply.code(answer.statusCode).headers(responseHeadersForClient(answer.headers))
  setExchangeHeaders(reply, exchange)
  const body = answer.body
  if (Buffer.isBuffer(body)) {
    exchange.responseSize = body.length
    exchange.responseHash = bodyHash(body)
    return reply.send(body)
  }
  return reply.send(streamAnswer(body, exchange, nodeId, timeoutMs))
}

/** The request's size and X-Road hash, once its body has gone to the provider. */
function noteRequest (exchange: ExchangeState, request: FastifyRequest, resolved: ResolvedCall, meter: MeteredStream | undefined): void {
  exchange.requestSize = meter?.bytes ?? 0
  const bodyDigest = meter === undefined ? EMPTY_BODY_DIGEST : meter.writableFinished ? meter.digest() : undefined
  if (bodyDigest !== undefined) exchange.requestHash = messageHash(`${request.method} ${exchange.call?.serviceId ?? ''}${resolved.upstreamPath}\n${exchange.client?.id ?? ''}\n${exchange.messageId}`, bodyDigest)
}

/**
 * Streams a large answer through, metering it; a break mid-way can only cut the answer short. The
 * record keeps what was relayed, and says why it stopped: the provider stalled past the service
 * timeout, or went away.
 */
function streamAnswer (body: Readable, exchange: ExchangeState, nodeId: string, timeoutMs: number): MeteredStream {
  const answer = new MeteredStream(true)
  body.once('error', (error) => {
    const mapped = transportError(error, nodeId, timeoutMs)
    markFault(exchange, mapped.code === 'server.provider_timeout' ? mapped.code : 'server.provider_unreachable')
    exchange.responseSize = answer.bytes
    answer.destroy(error)
  })
  answer.once('end', () => {
    exchange.responseSize = answer.bytes
    exchange.responseHash = answer.digest()?.toString('base64') ?? null
  })
  body.pipe(answer)
  return answer
}
