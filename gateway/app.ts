// The hub as a Fastify app: management API, stats, health and metrics beside the exchange path,
// each in its own context so the exchange path keeps bodies as raw streams.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { contractSerializerCompiler } from '../common/contract-serializer.js'
import { drainPlugin } from '../common/drain.js'
import { lazyChildLoggerFactory } from '../common/lazy-child-logger.js'
import { Agent, type Dispatcher } from 'undici'
import { registerOpenApi } from '../common/openapi.js'
import { problemClientErrorHandler } from '../common/client-errors.js'
import problemPlugin, { sendProblem } from '../common/problem-plugin.js'
import { NdxpError } from '../contracts/errors.js'
import type { TransactionRecord } from '../contracts/transaction.js'
import type { RegistryStore } from '../registry/store.js'
import { registryAdminRoutes } from './admin/plugin.js'
import { healthRoutes, registryReadiness, type ReadinessCheck } from './health.js'
import { createHubMetrics, documentMetrics, type HubMetrics } from './metrics.js'
import { nodesApi } from './nodes-api.js'
import { transactionRoutes } from './transactions/routes.js'
import type { TransactionStore } from './transactions/store.js'
import { TransactionWriter } from './transactions/writer.js'
import { CircuitBreaker, type CircuitState } from './exchange/circuit-breaker.js'
import { InFlightExchanges } from './exchange/in-flight.js'
import { documentExchange } from './exchange/openapi.js'
import { exchangePlugin, METHODS, refuseUnparsed, refuseUnrouted } from './exchange/plugin.js'
import type { RateLimiter } from './rate-limit/limiter.js'
import { LocalRateLimiter } from './rate-limit/local-limiter.js'
import { RegistryCache, type RegistryCacheOptions } from './registry-cache.js'
import type { TransactionSpool } from './transactions/spool.js'

export interface HubOptions {
  readonly registryStore: RegistryStore
  readonly transactionStore: TransactionStore
  /** Also sees every finished exchange (metrics); must not block. */
  readonly onRecord?: (record: TransactionRecord) => void
  /** How long a record may wait before it is written (the writer batches off the request path). */
  readonly flushIntervalMs?: number
  readonly adminToken: string
  readonly gatewayId: string
  /** Keys the HMAC that hides X-Road-UserId values in records. */
  readonly userIdSecret: string
  readonly limiter?: RateLimiter
  readonly dispatcher?: Dispatcher
  readonly logger?: FastifyBaseLogger
  readonly clock?: () => number
  /** X-Road rejects REST bodies over 10 MiB unless configured otherwise; so does the hub. */
  readonly bodyLimit?: number
  readonly heartbeatStaleMs?: number
  readonly registryPollMs?: number
  readonly circuit?: { threshold?: number, cooldownMs?: number, onChange?: (nodeId: string, state: CircuitState) => void }
  /** Slow-client protection: the whole request must arrive within this time. */
  readonly requestTimeoutMs?: number
  /** A graceful stop waits this long for exchanges in flight, then cuts them (recorded as abandoned). Default 10 s. */
  readonly drainDeadlineMs?: number
  /** Where transaction records go while the store is unreachable (see transactions/spool.ts). */
  readonly spool?: TransactionSpool
  /** Announcements of registry changes by other replicas (a shared store). */
  readonly registryChanges?: RegistryCacheOptions['changes']
  /** More for /readyz, e.g. the rate-limit store's state. */
  readonly readinessChecks?: readonly ReadinessCheck[]
  /** Adds series to this hub's metrics registry (the store backends' own state). */
  readonly extendMetrics?: (registry: HubMetrics['registry']) => void
}

export interface Hub {
  readonly app: FastifyInstance
  readonly registry: RegistryCache
  readonly breaker: CircuitBreaker
  readonly limiter: RateLimiter
  readonly writer: TransactionWriter
  readonly metrics: HubMetrics
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024

export async function buildHub (options: HubOptions): Promise<Hub> {
  const clock = options.clock ?? Date.now
  const requestTimeout = options.requestTimeoutMs ?? 30_000
  const inFlight = new InFlightExchanges()
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger, childLoggerFactory: lazyChildLoggerFactory }),
    bodyLimit: 1024 * 1024,
    requestTimeout,
    // Node checks the whole-request deadline only every connectionsCheckingInterval (30 s by default)
    // and gives headers 60 s of their own: checked each second, a slow client gets its 408 on time.
    http: { headersTimeout: Math.min(requestTimeout, 60_000), connectionsCheckingInterval: 1000 },
    // What Node's parser refuses (broken framing, oversized headers, the deadline) as problem+json;
    // an exchange it cuts short is recorded with that answer, and so is a refusal before any request.
    clientErrorHandler: problemClientErrorHandler(requestTimeout, inFlight.refusals((problem) => refuseUnparsed(problem, { record, clock, gatewayId: options.gatewayId }))),
    // During a graceful stop, requests already on open connections are still served and recorded.
    return503OnClosing: false,
    routerOptions: { maxParamLength: 500 },
    // URLs Fastify cannot even route (bad percent-encoding) are still answered, and on /r1/ recorded.
    frameworkErrors: (error, request, reply) => {
      const problem = new NdxpError('client.bad_request', `the request URL is malformed (${error.message}); percent-encode each identifier part on its own`)
      if (!request.url.startsWith('/r1/')) return sendProblem(reply, problem)
      return refuseUnrouted(reply, problem, { record, clock, gatewayId: options.gatewayId })
    },
  })
  const writer = new TransactionWriter({
    store: options.transactionStore, logger: app.log, flushIntervalMs: options.flushIntervalMs ?? 200, ...(options.spool && { spool: options.spool }),
  })
  const heartbeatStaleMs = options.heartbeatStaleMs ?? 30_000
  const metrics = createHubMetrics()
  metrics.trackWriter(() => writer.stats())
  options.extendMetrics?.(metrics.registry)
  const onRecord = options.onRecord
  const record = (tx: TransactionRecord, hubMs: number): void => {
    try {
      writer.record(tx)
    } catch (error) {
      // Only possible if an answer finishes after shutdown began; say so rather than throw in a listener.
      app.log.error({ err: error, transactionId: tx.id }, 'exchange finished after the transaction log closed; record not written')
    }
    metrics.observeExchange(tx, hubMs)
    if (tx.outcome === 'rate_limited' && tx.clientMemberCode !== null) metrics.rateLimited(tx.clientMemberCode)
    onRecord?.(tx)
  }
  const breaker = new CircuitBreaker({
    ...options.circuit,
    onChange: (nodeId, state) => {
      metrics.setCircuitState(nodeId, state)
      options.circuit?.onChange?.(nodeId, state)
    },
    onForget: (nodeId) => { metrics.forgetCircuit(nodeId) },
  })
  const registry = new RegistryCache({
    store: options.registryStore,
    logger: app.log,
    pollMs: options.registryPollMs ?? 1000,
    ...(options.registryChanges && { changes: options.registryChanges }),
    onView: (view) => { breaker.forgetAbsent((nodeId) => view.node(nodeId) !== undefined) },
  })
  await registry.start()
  const limiter = options.limiter ?? new LocalRateLimiter()
  // One pooled keep-alive agent for every provider: connections are reused across exchanges.
  const dispatcher = options.dispatcher ?? new Agent({ connections: 128, keepAliveTimeout: 30_000, connect: { timeout: 30_000 } })

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(contractSerializerCompiler)
  await app.register(problemPlugin, {
    // Every path under /r1/ routes for the methods the hub relays: what reaches the 404 there is another method.
    notFound: (request, reply) => request.url.startsWith('/r1/')
      ? refuseUnrouted(reply.header('allow', METHODS.join(', ')), new NdxpError('client.method_not_allowed', `the hub relays ${METHODS.join(', ')}; not ${request.method}`), { record, clock, gatewayId: options.gatewayId })
      : undefined,
  })
  await app.register(drainPlugin, { ...(options.drainDeadlineMs !== undefined && { deadlineMs: options.drainDeadlineMs }) })
  await registerOpenApi(app, {
    title: 'ndxp hub',
    description: 'NDXP-style national data-exchange hub: X-Road REST exchange under /r1/, management under /v1/',
    version: '1.0.0',
    amend: (document) => {
      documentExchange(document)
      documentMetrics(document)
    },
  })
  await app.register(exchangePlugin, {
    registry, limiter, dispatcher, breaker,
    record,
    gatewayId: options.gatewayId,
    userIdSecret: options.userIdSecret,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    heartbeatStaleMs,
    clock,
    inFlight,
  })
  const onChange = (): Promise<void> => registry.refresh()
  await app.register(healthRoutes, {
    checks: [
      registryReadiness(registry),
      // An index look-up: cheap, and it fails when the store cannot be reached.
      { name: 'transactions', check: async () => { await options.transactionStore.get('readyz') } },
      // A log that can be read may still refuse writes (a full disk): say so, rather than answer 200.
      {
        name: 'transaction writes',
        check: async () => {
          const failing = writer.failing
          if (failing !== undefined) throw new Error(`the last append failed (${failing}); records are kept and retried`)
        },
      },
      ...options.readinessChecks ?? [],
    ],
  })
  await app.register(metrics.routes)
  await app.register(registryAdminRoutes, { store: options.registryStore, adminToken: options.adminToken, onChange })
  await app.register(nodesApi, { store: options.registryStore, registry, onChange, clock: () => new Date(clock()), heartbeatStaleMs })
  await app.register(async (management) => {
    await transactionRoutes(management.withTypeProvider<ZodTypeProvider>(), { store: options.transactionStore, writer, adminToken: options.adminToken, clock })
  })
  // Fastify runs onClose after in-flight requests have finished, so every answer is queued by now.
  app.addHook('onClose', async () => {
    // Exchanges cut at the drain deadline are recorded as their connections close (as abandoned):
    // those close events come after the server's own, so wait for them before the log closes.
    await inFlight.settled(2000)
    await writer.close()
    await registry.stop()
    await limiter.close?.()
    // Provider calls still open belong to exchanges already recorded: abort them rather than wait
    // out their service timeouts.
    if (options.dispatcher === undefined) await dispatcher.destroy()
  })
  return { app, registry, breaker, limiter, writer, metrics }
}
