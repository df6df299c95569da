// Takes transaction records off the request path: `record` only pushes to memory; batches go to the
// store every `flushIntervalMs` or `batchSize` records, whichever comes first, one append at a time.
// When the store fails, records stay in memory (or, given a spool, go to a local file) and the writer
// retries with backoff: nothing is dropped. Spooled records are delivered first once the store answers.
import { NdxpError } from '../../contracts/errors.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import type { TransactionSpool } from './spool.js'
import type { TransactionStore } from './store.js'

export interface WriterLogger {
  info (details: object, message: string): void
  warn (details: object, message: string): void
  error (details: object, message: string): void
}

/** Injected so tests can run the schedule by hand; the defaults are Node's. */
export interface WriterTimers {
  setTimeout (callback: () => void, ms: number): { unref (): unknown }
  clearTimeout (handle: unknown): void
}

export interface TransactionWriterOptions {
  store: Pick<TransactionStore, 'append'>
  logger: WriterLogger
  /** Records per append (default 500). */
  batchSize?: number
  /** Longest a record waits in memory while the store is healthy (default 200 ms). */
  flushIntervalMs?: number
  /** Past this many records waiting, the crossing and every failed retry are logged as errors (default 100,000). */
  maxPending?: number
  /** Backoff after a failed append: doubles from `retryMinMs` to `retryMaxMs` (defaults 100 ms, 30 s). */
  retryMinMs?: number
  retryMaxMs?: number
  timers?: WriterTimers
  /** Where batches go while the store is unreachable; replayed (idempotently) once it answers. */
  spool?: TransactionSpool
}

export interface WriterCounters {
  /** Records handed to `record`. */
  recorded: number
  /** Records the store accepted. */
  flushed: number
  /** Records waiting in memory. */
  pending: number
  /** Appends that failed (each is retried). */
  failures: number
  /** Records the store refused as malformed; logged one by one, never retried. */
  rejected: number
  /** Records written to the spool while the store was down, and those since delivered from it. */
  spooled: number
  replayed: number
  /** Records in the spool now. */
  spoolSize: number
}

/** Stands in the queue for a record already handed on. */
const DONE = undefined as unknown as TransactionRecord

export class TransactionWriter {
  private queue: TransactionRecord[] = []
  private head = 0
  private readonly counters = { recorded: 0, flushed: 0, failures: 0, rejected: 0, spooled: 0, replayed: 0 }
  private timer: { unref (): unknown } | undefined
  private timerMs = 0
  private writing: Promise<void> | undefined
  private consecutiveFailures = 0
  /** Set while the last failure left records only in memory (no spool, or the spool failed too). */
  private memoryOnlyFailure: string | undefined
  private backingOff = false
  private overCap = false
  private closed = false
  private readonly batchSize: number
  private readonly maxPending: number
  private readonly timers: WriterTimers

  constructor (private readonly options: TransactionWriterOptions) {
    this.batchSize = options.batchSize ?? 500
    this.maxPending = options.maxPending ?? 100_000
    this.timers = options.timers ?? { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) } }
    // A spool left by an earlier run (stopped while its store was down) is delivered from the start.
    if ((options.spool?.size ?? 0) > 0) this.schedule(0)
  }

  /** Synchronous and cheap: the exchange path never waits for the store. Throws once closed. */
  record (record: TransactionRecord): void {
    if (this.closed) throw new NdxpError('server.internal', 'The transaction writer is closed; a record arrived after shutdown began.')
    this.queue.push(record)
    this.counters.recorded++
    if (this.pending > this.maxPending && !this.overCap) {
      // Once per crossing: the store is down or slower than the traffic, and memory is what holds the log.
      this.overCap = true
      this.options.logger.error({ pending: this.pending, maxPending: this.maxPending }, 'transaction records piling up in memory past the cap; they are kept, not dropped')
    }
    if (this.backingOff) return
    if (this.pending >= this.batchSize) this.schedule(0)
    else this.schedule(this.options.flushIntervalMs ?? 200)
  }

  get pending (): number {
    return this.queue.length - this.head
  }

  /**
   * Why appends are failing while records can be kept only in memory (for /readyz); undefined once
   * one succeeds, or while the spool takes them (they are on disk, and a store outage shows elsewhere).
   */
  get failing (): string | undefined {
    return this.memoryOnlyFailure
  }

  /** Counters for /metrics. */
  stats (): WriterCounters {
    return { ...this.counters, pending: this.pending, spoolSize: this.options.spool?.size ?? 0 }
  }

  /**
   * Resolves once every record handed in before the call is stored (or spooled, with a spool);
   * rejects if the store fails now and there is no spool (the records stay queued and the
   * background retry continues).
   */
  async flush (): Promise<void> {
    const target = this.counters.recorded
    while (this.counters.flushed + this.counters.rejected + this.counters.spooled < target) {
      await this.writeOnce(true)
    }
  }

  /** Flushes everything, then stops the timers. Rejects, saying how many records are unwritten, if the store fails. */
  async close (): Promise<void> {
    this.closed = true
    this.cancelTimer()
    try {
      await this.flush()
    } catch (error) {
      this.options.logger.error({ err: error, unwritten: this.pending }, 'transaction writer closed with records the store did not take')
      throw error
    } finally {
      this.cancelTimer()
    }
  }

  /** One append of the oldest batch (or a replay of the spool), never two at once. */
  private async writeOnce (flushing = false): Promise<void> {
    while (this.writing !== undefined) await this.writing.catch(() => undefined)
    const spool = this.options.spool
    // Older records first while the store answers; while it fails, or when a flush must make what is
    // in memory durable, memory first (it reaches the store or the spool).
    const replay = spool !== undefined && spool.size > 0 &&
      (this.pending === 0 || (!flushing && !this.closed && this.consecutiveFailures === 0))
    if (this.pending === 0 && !replay) return
    const attempt = replay ? this.replaySpool(spool) : this.appendBatch()
    this.writing = attempt
    try {
      await attempt
    } finally {
      this.writing = undefined
    }
  }

  private async replaySpool (spool: TransactionSpool): Promise<void> {
    try {
      const delivered = await spool.replay((records) => this.options.store.append(records), this.batchSize)
      this.counters.replayed += delivered
      this.options.logger.info({ delivered }, 'spooled transaction records delivered to the store')
    } catch (error) {
      // The spooled records are still on disk: nothing is held only in memory by this failure.
      throw this.failed(error, true)
    }
    this.succeeded()
  }

  private async appendBatch (): Promise<void> {
    const batch = this.queue.slice(this.head, this.head + this.batchSize)
    try {
      await this.options.store.append(batch)
    } catch (error) {
      const malformed = error instanceof NdxpError && error.code === 'client.bad_request'
      if (!malformed && this.spoolBatch(batch)) {
        this.failed(error, true)
        return
      }
      if (!(malformed && batch.length > 1)) throw this.failed(error)
      // One malformed record must not hold back the rest: find it by appending one at a time.
      for (const record of batch) await this.appendOne(record)
      this.succeeded()
      return
    }
    this.take(batch.length, 'flushed')
    this.succeeded()
  }

  /** Durable on local disk once this returns true; the store gets the batch when it answers again. */
  private spoolBatch (batch: TransactionRecord[]): boolean {
    if (this.options.spool === undefined) return false
    try {
      this.options.spool.write(batch)
    } catch (error) {
      this.options.logger.error({ err: error, records: batch.length }, 'cannot write the transaction spool; records kept in memory')
      return false
    }
    this.take(batch.length, 'spooled')
    return true
  }

  private async appendOne (record: TransactionRecord): Promise<void> {
    try {
      await this.options.store.append([record])
      this.take(1, 'flushed')
    } catch (error) {
      if (!(error instanceof NdxpError && error.code === 'client.bad_request')) throw this.failed(error)
      this.options.logger.error({ err: error, transactionId: record.id }, 'transaction record refused by the store as malformed; it is not retried')
      this.take(1, 'rejected')
    }
  }

  private take (count: number, counter: 'flushed' | 'rejected' | 'spooled'): void {
    // Let go of the records at once: kept until the prefix below is reclaimed, thousands of them
    // outlived young-generation collections, and every scavenge copied them again.
    this.queue.fill(DONE, this.head, this.head + count)
    this.head += count
    this.counters[counter] += count
    if (this.pending <= this.maxPending) this.overCap = false
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      // Reclaim the consumed prefix now and then rather than shifting on every batch.
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }

  private succeeded (): void {
    this.consecutiveFailures = 0
    this.memoryOnlyFailure = undefined
    this.backingOff = false
    if ((this.pending > 0 || (this.options.spool?.size ?? 0) > 0) && !this.closed) this.schedule(0)
  }

  private failed (error: unknown, spooled = false): unknown {
    this.counters.failures++
    this.consecutiveFailures++
    this.memoryOnlyFailure = spooled ? undefined : error instanceof Error ? error.message : String(error)
    const min = this.options.retryMinMs ?? 100
    const delay = Math.min(this.options.retryMaxMs ?? 30_000, min * 2 ** Math.min(this.consecutiveFailures - 1, 30))
    const details = { err: error, pending: this.pending, failures: this.consecutiveFailures, retryInMs: delay }
    if (this.pending > this.maxPending) {
      this.options.logger.error({ ...details, maxPending: this.maxPending }, 'transaction store failing and records piling up in memory past the cap; they are kept, not dropped')
    } else {
      this.options.logger.warn(details, 'transaction store append failed; records kept for retry')
    }
    this.backingOff = true
    if (!this.closed) this.schedule(delay, true)
    else this.backingOff = false // closing: the next flush round may spool at once
    return error
  }

  /** Arms the single timer, or brings it forward; `replace` sets it whatever it was (a backoff). */
  private schedule (ms: number, replace = false): void {
    if (this.timer !== undefined && !replace && this.timerMs <= ms) return
    this.cancelTimer()
    this.timerMs = ms
    const handle = this.timers.setTimeout(() => {
      this.timer = undefined
      void this.writeOnce().catch(() => undefined) // failures are logged and rescheduled in failed()
    }, ms)
    // A timer must never keep the process alive on its own; close() is what drains.
    handle.unref()
    this.timer = handle
  }

  private cancelTimer (): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }
}
