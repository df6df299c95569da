// The transaction writer: batching, flush and close, retry with backoff, malformed records, counters.
// Timers are driven by hand, so nothing here depends on how fast the machine is.
import t, { type Test } from 'tap'
import { NdxpError } from '../../contracts/errors.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import type { TransactionStore } from '../../gateway/transactions/store.js'
import { TransactionWriter, type TransactionWriterOptions, type WriterLogger, type WriterTimers } from '../../gateway/transactions/writer.js'
import { makeRecord } from './transaction-store-contract.js'

interface ManualTimer { callback: () => void, ms: number, unrefed: boolean, unref: () => void }

/** Timers that fire only when the test says so; a handle is the timer itself. */
class ManualTimers implements WriterTimers {
  armed: ManualTimer[] = []
  delays: number[] = []

  setTimeout (callback: () => void, ms: number): ManualTimer {
    const timer: ManualTimer = { callback, ms, unrefed: false, unref: () => { timer.unrefed = true } }
    this.armed.push(timer)
    this.delays.push(ms)
    return timer
  }

  clearTimeout (handle: unknown): void {
    this.armed = this.armed.filter((timer) => timer !== handle)
  }

  /** Fires every armed timer once, then lets the appends they start settle. */
  async fire (): Promise<void> {
    const due = this.armed
    this.armed = []
    for (const timer of due) timer.callback()
    await settle()
  }
}

/** Lets pending promise chains (an append and what follows it) run to completion. */
const settle = async (): Promise<void> => { for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve)) }

interface Logged { level: 'info' | 'warn' | 'error', details: Record<string, unknown>, message: string }
function captureLogger (): WriterLogger & { lines: Logged[] } {
  const lines: Logged[] = []
  const log = (level: Logged['level']) => (details: object, message: string): void => { lines.push({ level, details: details as Record<string, unknown>, message }) }
  return { lines, info: log('info'), warn: log('warn'), error: log('error') }
}

/** A real store behind a switch: fails while `failuresLeft` > 0 (or `down`), and remembers every batch it took. */
interface Flaky extends Pick<TransactionStore, 'append'> { failuresLeft: number, down: boolean, batches: number[], real: TransactionStore }
async function flakyStore (t: Test, failuresLeft = 0): Promise<Flaky> {
  const real = await openSqliteTransactionStore({ filename: ':memory:' })
  t.teardown(() => real.close())
  const flaky: Flaky = {
    failuresLeft, down: false, batches: [], real,
    async append (records: readonly TransactionRecord[]) {
      if (flaky.down || flaky.failuresLeft > 0) {
        flaky.failuresLeft--
        throw new NdxpError('server.store_unavailable', 'simulated outage')
      }
      await real.append(records)
      flaky.batches.push(records.length)
    },
  }
  return flaky
}

function writerFor (store: Flaky, options: Partial<TransactionWriterOptions> = {}): { writer: TransactionWriter, timers: ManualTimers, logger: ReturnType<typeof captureLogger> } {
  const timers = new ManualTimers()
  const logger = captureLogger()
  const writer = new TransactionWriter({ store, logger, timers, batchSize: 3, flushIntervalMs: 1000, ...options })
  return { writer, timers, logger }
}

const records = (n: number): TransactionRecord[] => Array.from({ length: n }, () => makeRecord())

t.test('record only queues; a batch goes out at batchSize or when the interval timer fires', async (t) => {
  const store = await flakyStore(t)
  const { writer, timers } = writerFor(store)
  for (const r of records(2)) writer.record(r)
  t.equal(await store.real.count(), 0, 'nothing written on the request path')
  t.strictSame(timers.armed.map((timer) => timer.ms), [1000], 'one interval timer')
  writer.record(makeRecord())
  t.strictSame(timers.armed.map((timer) => timer.ms), [0], 'a full batch brings the flush forward')
  await timers.fire()
  t.strictSame(store.batches, [3])
  for (const r of records(2)) writer.record(r)
  await timers.fire()
  t.strictSame(store.batches, [3, 2])
  t.strictSame(writer.stats(), { recorded: 5, flushed: 5, pending: 0, failures: 0, rejected: 0, spooled: 0, replayed: 0, spoolSize: 0 })
  t.ok(timers.armed.every((timer) => timer.unrefed), 'timers never hold the process open')
})

t.test('a backlog drains batch after batch without waiting for the interval', async (t) => {
  const store = await flakyStore(t)
  const { writer, timers } = writerFor(store)
  for (const r of records(8)) writer.record(r)
  for (let i = 0; i < 5 && writer.pending > 0; i++) await timers.fire()
  t.strictSame(store.batches, [3, 3, 2])
  t.notOk(timers.delays.slice(1).includes(1000), 'follow-up batches are scheduled at once')
})

t.test('flush resolves once everything recorded before it is stored', async (t) => {
  const store = await flakyStore(t)
  const { writer } = writerFor(store, { batchSize: 2 })
  const sent = records(5)
  for (const r of sent) writer.record(r)
  await writer.flush()
  t.strictSame(store.batches, [2, 2, 1])
  t.strictSame(await store.real.get(sent[4]?.id as string), sent[4])
  t.strictSame(writer.stats(), { recorded: 5, flushed: 5, pending: 0, failures: 0, rejected: 0, spooled: 0, replayed: 0, spoolSize: 0 })
})

t.test('concurrent flushes and timers never append a batch twice', async (t) => {
  const store = await flakyStore(t)
  const { writer, timers } = writerFor(store)
  for (const r of records(10)) writer.record(r)
  await Promise.all([writer.flush(), writer.flush(), timers.fire(), writer.flush()])
  t.equal(store.batches.reduce((a, b) => a + b, 0), 10, 'each record appended exactly once')
  t.equal(await store.real.count(), 10)
})

t.test('a failing store: records are kept and retried with doubling backoff, none lost', async (t) => {
  const store = await flakyStore(t, 3)
  const { writer, timers, logger } = writerFor(store, { retryMinMs: 100, retryMaxMs: 300 })
  for (const r of records(2)) writer.record(r)
  await timers.fire()
  t.strictSame(timers.armed.map((timer) => timer.ms), [100], 'first retry after retryMinMs')
  writer.record(makeRecord())
  t.strictSame(timers.armed.map((timer) => timer.ms), [100], 'new records do not cut the backoff short')
  await timers.fire()
  t.strictSame(timers.armed.map((timer) => timer.ms), [200])
  await timers.fire()
  t.strictSame(timers.armed.map((timer) => timer.ms), [300], 'capped at retryMaxMs')
  await timers.fire()
  t.strictSame(store.batches, [3])
  t.strictSame(writer.stats(), { recorded: 3, flushed: 3, pending: 0, failures: 3, rejected: 0, spooled: 0, replayed: 0, spoolSize: 0 })
  t.equal(logger.lines.filter((l) => l.level === 'warn').length, 3, 'each failure logged')
  t.match(logger.lines[0], { details: { pending: 2, failures: 1, retryInMs: 100 } })
})

t.test('past maxPending the writer logs errors, and still keeps every record', async (t) => {
  const store = await flakyStore(t)
  store.down = true
  const { writer, timers, logger } = writerFor(store, { maxPending: 5, batchSize: 100 })
  for (const r of records(4)) writer.record(r)
  await timers.fire()
  t.equal(logger.lines.at(-1)?.level, 'warn')
  for (const r of records(4)) writer.record(r)
  t.match(logger.lines.at(-1), { level: 'error', details: { pending: 6, maxPending: 5 }, message: /not dropped/ }, 'crossing the cap is logged at once')
  t.equal(logger.lines.filter((l) => l.level === 'error').length, 1, 'once per crossing')
  await timers.fire()
  t.match(logger.lines.at(-1), { level: 'error', details: { pending: 8, maxPending: 5 }, message: /not dropped/ })
  t.equal(writer.pending, 8)
  store.down = false
  await writer.flush()
  t.equal(await store.real.count(), 8)
})

t.test('a malformed record is logged and skipped; the rest of its batch is stored', async (t) => {
  const store = await flakyStore(t)
  const { writer, logger } = writerFor(store)
  const bad = { ...makeRecord(), id: '' }
  for (const r of [makeRecord(), bad, makeRecord()]) writer.record(r)
  await writer.flush()
  t.equal(await store.real.count(), 2)
  t.strictSame(writer.stats(), { recorded: 3, flushed: 2, pending: 0, failures: 0, rejected: 1, spooled: 0, replayed: 0, spoolSize: 0 })
  t.match(logger.lines, [{ level: 'error', details: { transactionId: '' }, message: /malformed/ }])
})

t.test('flush rejects while the store is down; the records stay queued for the retry', async (t) => {
  const store = await flakyStore(t)
  store.down = true
  const { writer } = writerFor(store)
  writer.record(makeRecord())
  await t.rejects(writer.flush(), { code: 'server.store_unavailable' })
  t.equal(writer.pending, 1)
  store.down = false
  await writer.flush()
  t.equal(writer.pending, 0)
})

t.test('close flushes everything, stops the timers, and refuses records afterwards', async (t) => {
  const store = await flakyStore(t)
  const { writer, timers } = writerFor(store)
  for (const r of records(4)) writer.record(r)
  await writer.close()
  t.equal(await store.real.count(), 4)
  t.equal(timers.armed.length, 0, 'no timer left')
  t.throws(() => { writer.record(makeRecord()) }, { code: 'server.internal', message: /closed/ })
  await writer.close()
})

t.test('close with the store down rejects and logs how many records are unwritten', async (t) => {
  const store = await flakyStore(t)
  store.down = true
  const { writer, timers, logger } = writerFor(store)
  for (const r of records(2)) writer.record(r)
  await t.rejects(writer.close(), { code: 'server.store_unavailable' })
  t.match(logger.lines.at(-1), { level: 'error', details: { unwritten: 2 } })
  t.equal(timers.armed.length, 0, 'no retry after close')
})
