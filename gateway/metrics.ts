// Prometheus metrics of one hub: exchanges, latency, rate-limit rejections, circuits, the transaction
// writer, and the process. Each hub has its own registry so that several can live in one process.
// For the OpenAPI keys (tags, summary, security) it adds to route schemas.
import type {} from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import client from 'prom-client'
import { durationMs, type TransactionRecord } from '../contracts/transaction.js'
import type { CircuitState } from './exchange/circuit-breaker.js'
import { ExchangeSeriesIndex, outcomeAndStatus } from './exchange-series.js'
import { ScrapedCounter, ScrapedHistogram, type CounterEntry, type HistogramEntry } from './metric-series.js'
import type { OpenApiDocument } from '../common/openapi.js'

export interface WriterStats {
  /** Records queued, not yet in the store. */
  readonly pending: number
  /** Records written since start. */
  readonly flushed: number
  /** Failed write attempts since start. */
  readonly failures: number
  /** Records in the local spool, waiting for the store to come back (0 without a spool). */
  readonly spoolSize?: number
  /** Records written to the spool since start. */
  readonly spooled?: number
}

export interface HubMetricsOptions {
  /**
   * Most distinct {client, service, outcome, status} series kept. The service part of a refused
   * request comes from its URL, so without a cap anyone could grow memory one series per request;
   * past the cap client and service read `other`. Default 10 000.
   */
  readonly maxSeries?: number
  /** Process metrics (CPU, memory, event loop, GC). Default true. */
  readonly defaultMetrics?: boolean
}

const UNKNOWN = 'unknown'
/**
 * Refusals that came before the hub knew the named service is registered: the service is whatever the
 * sender wrote, and labelling by it would let anyone, keyless, mint a series per request (and fill
 * the cap below for everyone). They count under service `unknown`; the record keeps what was asked.
 */
const UNCHECKED_SERVICE = new Set<string>(['client.bad_request', 'client.unauthenticated', 'client.identity_mismatch', 'client.unknown_service', 'client.unknown_route'])
const OVERFLOW = 'other'
const CIRCUIT_VALUES: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 }
/** Seconds, 1 ms to 60 s: from an in-memory mock answer to the longest service timeout worth keeping. */
export const EXCHANGE_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Seconds, 50 µs to 1 s: the hub's own share of an exchange is well under a millisecond when all is well. */
export const HUB_TIME_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

interface ExchangeChildren {
  readonly count: CounterEntry
  readonly duration: HistogramEntry
}

export class HubMetrics {
  readonly registry = new client.Registry()
  private readonly exchanges: ScrapedCounter
  private readonly durations: ScrapedHistogram
  private readonly hubTime: HistogramEntry
  private readonly hubTimes: ScrapedHistogram
  private readonly rejections: client.Counter<'member'>
  private readonly circuits: client.Gauge<'node'>
  private readonly writer: Record<keyof WriterStats, client.Gauge>
  // observeExchange runs once per exchange: bind label sets once, then it is a few Map hits and two updates.
  private readonly children = new ExchangeSeriesIndex<ExchangeChildren>()
  /** Past the cap: by outcome and status. */
  private readonly overflow = new Map<number, ExchangeChildren>()
  private readonly durationSeries = new Map<string, HistogramEntry>()
  private readonly rejectionChildren = new Map<string, client.Counter.Internal>()
  private readonly maxSeries: number
  private writerStats: (() => WriterStats) | undefined

  constructor (options: HubMetricsOptions = {}) {
    const registers = [this.registry]
    this.maxSeries = options.maxSeries ?? 10_000
    this.exchanges = new ScrapedCounter('ndxp_exchanges_total', 'Exchanges answered, by client subsystem, service, outcome and HTTP status', this.registry)
    this.durations = new ScrapedHistogram('ndxp_exchange_duration_seconds', 'Time from request arrival to the last byte of the answer', EXCHANGE_DURATION_BUCKETS, this.registry)
    // Kong's kong_latency, in X-Road's terms about (responseOut − requestIn) − (responseIn − requestOut), at
    // sub-millisecond resolution. What a load test through the hub adds, without the load tool's noise.
    this.hubTimes = new ScrapedHistogram('ndxp_exchange_hub_seconds', 'The hub\'s own time per exchange: from request arrival to the last byte of the answer, less the wait for the provider', HUB_TIME_BUCKETS, this.registry)
    this.hubTime = this.hubTimes.series({})
    this.rejections = new client.Counter({ name: 'ndxp_rate_limit_rejections_total', help: 'Requests refused by a rate limit, by member', labelNames: ['member'], registers })
    this.circuits = new client.Gauge({ name: 'ndxp_circuit_state', help: 'Circuit per provider node: 0 closed, 1 half-open, 2 open', labelNames: ['node'], registers })
    this.writer = {
      pending: new client.Gauge({
        name: 'ndxp_transaction_writer_pending', help: 'Transaction records queued for the store', registers,
        // prom-client calls collect at each scrape: a tracked writer is read then, never per request.
        collect: () => { if (this.writerStats !== undefined) this.setWriterStats(this.writerStats()) },
      }),
      flushed: new client.Gauge({ name: 'ndxp_transaction_writer_flushed', help: 'Transaction records written to the store since start', registers }),
      failures: new client.Gauge({ name: 'ndxp_transaction_writer_failures', help: 'Failed transaction store writes since start', registers }),
      spoolSize: new client.Gauge({ name: 'ndxp_transaction_spool_records', help: 'Transaction records in the local spool, waiting for the store', registers }),
      spooled: new client.Gauge({ name: 'ndxp_transaction_spooled', help: 'Transaction records written to the local spool since start (the store was down)', registers }),
    }
    if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry })
  }

  /** `hubMs`: the hub's own share of the exchange, when the exchange path measured it. */
  observeExchange (record: TransactionRecord, hubMs?: number): void {
    // No string is built on the hit path; label values are built only when a new set is bound.
    // A missing part keys as '' (never a valid identifier part), so it cannot meet a code named "null".
    const checked = record.faultCode === null || !UNCHECKED_SERVICE.has(record.faultCode)
    const children = this.children.find(record, checked) ?? this.bind(record, checked)
    children.count.count++
    this.durations.observe(children.duration, durationMs(record) / 1000)
    if (hubMs !== undefined) this.hubTimes.observe(this.hubTime, hubMs / 1000)
  }

  private bind (record: TransactionRecord, serviceChecked: boolean): ExchangeChildren {
    let caller = `${record.clientMemberCode ?? UNKNOWN}/${record.clientSubsystemCode ?? UNKNOWN}`
    let service = serviceChecked ? `${record.serviceMemberCode ?? UNKNOWN}/${record.serviceSubsystemCode ?? UNKNOWN}/${record.serviceCode ?? UNKNOWN}` : UNKNOWN
    const { outcome } = record
    const status = String(record.statusCode)
    // Past the cap, new label sets share one series per outcome and status instead of adding more.
    const overflow = this.children.size >= this.maxSeries
    if (overflow) {
      const bound = this.overflow.get(outcomeAndStatus(record))
      if (bound !== undefined) return bound
      caller = service = OVERFLOW
    }
    const durationKey = `${service}|${outcome}`
    let duration = this.durationSeries.get(durationKey)
    if (duration === undefined) {
      duration = this.durations.series({ service, outcome })
      this.durationSeries.set(durationKey, duration)
    }
    const children: ExchangeChildren = { count: this.exchanges.series({ client: caller, service, outcome, status }), duration }
    if (overflow) this.overflow.set(outcomeAndStatus(record), children)
    else this.children.add(record, serviceChecked, children)
    return children
  }

  rateLimited (memberCode: string): void {
    let child = this.rejectionChildren.get(memberCode)
    if (child === undefined) {
      child = this.rejections.labels({ member: memberCode })
      this.rejectionChildren.set(memberCode, child)
    }
    child.inc()
  }

  forgetCircuit (nodeId: string): void {
    this.circuits.remove({ node: nodeId })
  }

  setCircuitState (nodeId: string, state: CircuitState): void {
    this.circuits.set({ node: nodeId }, CIRCUIT_VALUES[state])
  }

  setWriterStats (stats: WriterStats): void {
    this.writer.pending.set(stats.pending)
    this.writer.flushed.set(stats.flushed)
    this.writer.failures.set(stats.failures)
    this.writer.spoolSize.set(stats.spoolSize ?? 0)
    this.writer.spooled.set(stats.spooled ?? 0)
  }

  /** Reads the writer's counters at every scrape instead of waiting for setWriterStats; e.g. `() => writer.stats()`. */
  trackWriter (stats: () => WriterStats): void {
    this.writerStats = stats
  }

  /** GET /metrics in the Prometheus text format; register at the root, like the health probes. */
  readonly routes = async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', {
      logLevel: 'warn',
      schema: { tags: ['operations'], summary: 'Prometheus metrics of this hub' },
    }, async (_request, reply) => reply.type(this.registry.contentType).send(await this.registry.metrics()))
  }
}

export function createHubMetrics (options: HubMetricsOptions = {}): HubMetrics {
  return new HubMetrics(options)
}

/** /metrics answers in Prometheus's text format, which no route schema describes. */
export function documentMetrics (document: OpenApiDocument): void {
  const get = document.paths?.['/metrics']?.get
  if (get !== undefined) get.responses = { 200: { description: 'every series, in the Prometheus text exposition format 0.0.4', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } } }
}
