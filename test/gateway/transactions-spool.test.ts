// The transaction spool: while the store is down, batches go to a local file (real files, fsync'd);
// when it answers, they are delivered once, oldest first; a spool left by a stopped process is
// delivered by the next one; a line cut short by a crash is skipped, never fatal.
import { appendFileSync, existsSync, readdirSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { NdxpError } from '../../contracts/errors.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import { adoptOrphanedSpools, TransactionSpool } from '../../gateway/transactions/spool.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import type { TransactionStore } from '../../gateway/transactions/store.js'
import { TransactionWriter, type WriterLogger } from '../../gateway/transactions/writer.js'
import { makeRecord } from './transaction-store-contract.js'

const quiet: WriterLogger = { info: () => {}, warn: () => {}, error: () => {} }
const records = (n: number): TransactionRecord[] => Array.from({ length: n }, () => makeRecord())
const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)) }

interface Switchable extends Pick<TransactionStore, 'append'> { down: boolean, appended: number, real: TransactionStore }
async function switchableStore (t: Test, filename = ':memory:'): Promise<Switchable> {
  const real = await openSqliteTransactionStore({ filename })
  t.teardown(() => real.close())
  const store: Switchable = {
    down: false, appended: 0, real,
    async append (batch) {
      if (store.down) throw new NdxpError('server.store_unavailable', 'simulated outage')
      await real.append(batch)
      store.appended += batch.length
    },
  }
  return store
}

/** Retries as fast as the test can look (1 ms backoff), so no test waits on real backoff. */
const writerWith = (store: Switchable, spool: TransactionSpool): TransactionWriter =>
  new TransactionWriter({ store, spool, logger: quiet, batchSize: 50, flushIntervalMs: 1, retryMinMs: 1, retryMaxMs: 5 })

async function until (t: Test, condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await condition())) {
    if (Date.now() > deadline) { t.fail(`timed out waiting until ${what}`); return }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

t.test('store down: batches are spooled to disk; store back: delivered once, none lost', async (t) => {
  const dir = t.testdir({})
  const store = await switchableStore(t)
  const spool = new TransactionSpool(dir, quiet)
  const writer = writerWith(store, spool)
  store.down = true
  const written = records(230)
  for (const r of written) writer.record(r)
  await writer.flush()
  t.equal(spool.size, 230, 'everything is in the spool')
  t.equal(writer.stats().spooled, 230)
  t.ok(readdirSync(dir).some((f) => f.endsWith('.jsonl')), 'on disk')
  t.equal(await store.real.count(), 0)

  store.down = false
  await until(t, () => spool.size === 0, 'the spool is delivered')
  await writer.close()
  t.equal(await store.real.count(), 230, 'every record stored')
  t.equal(store.appended, 230, 'none appended twice')
  t.equal(writer.stats().replayed, 230)
  t.strictSame(readdirSync(dir).filter((f) => f.endsWith('.jsonl')), [], 'spool files removed')
  for (const r of [written[0], written[229]]) t.ok(await store.real.get(r?.id as string), 'the first and last are there')
})

t.test('closing while the store is down spools what is in memory; the next process delivers it', async (t) => {
  const dir = t.testdir({})
  const filename = join(t.testdir({}), 'transactions.db')
  const first = await switchableStore(t, filename)
  first.down = true
  const firstWriter = writerWith(first, new TransactionSpool(dir, quiet))
  for (const r of records(120)) firstWriter.record(r)
  await firstWriter.close()
  t.equal(firstWriter.stats().spooled, 120, 'close succeeds: the records are durable in the spool')

  const second = await switchableStore(t, filename)
  const spool = new TransactionSpool(dir, quiet)
  t.equal(spool.size, 120, 'a new process finds the spool')
  const secondWriter = writerWith(second, spool)
  await until(t, () => spool.size === 0, 'the old spool is delivered at start')
  await secondWriter.close()
  t.equal(await second.real.count(), 120)
})

t.test('a replay interrupted after the store took it (crash before the file was removed) counts nothing twice', async (t) => {
  const dir = t.testdir({})
  const store = await switchableStore(t)
  const spool = new TransactionSpool(dir, quiet)
  spool.write(records(80))
  spool.seal()
  // The store takes the records, then the process "crashes" before the segment is deleted.
  let delivered = 0
  await t.rejects(spool.replay(async (batch) => {
    await store.append(batch)
    delivered += batch.length
    if (delivered >= 80) throw new Error('crash before unlink')
  }, 40))
  t.equal(await store.real.count(), 80)
  const again = new TransactionSpool(dir, quiet)
  t.equal(again.size, 80, 'the segment is still there')
  await again.replay((batch) => store.append(batch), 40)
  t.equal(await store.real.count(), 80, 'the idempotent append skipped every id it already had')
  t.equal(again.size, 0)
})

t.test('hostile spool contents: a line cut short by a crash and garbage are skipped and reported', async (t) => {
  const dir = t.testdir({})
  const store = await switchableStore(t)
  const spool = new TransactionSpool(dir, quiet)
  spool.write(records(3))
  spool.seal()
  const segment = readdirSync(dir).find((f) => f.endsWith('.jsonl')) as string
  appendFileSync(join(dir, segment), '{"id":"personal-079201001234","messageId":\n\u0000\u0000 not json\n')
  const errors: object[] = []
  const reading = new TransactionSpool(dir, { warn: () => {}, error: (details) => { errors.push(details) } })
  await reading.replay((batch) => store.append(batch), 10)
  t.equal(await store.real.count(), 3, 'the good records are delivered')
  t.equal(errors.length, 2, 'each bad line is reported')
  t.notOk(JSON.stringify(errors).includes('079201001234'), 'the report names the line, not its content (it may hold personal data)')
  t.equal(reading.size, 0)
})

t.test('a spool directory that cannot be written keeps records in memory instead of losing them', async (t) => {
  const dir = t.testdir({})
  const store = await switchableStore(t)
  const spool = new TransactionSpool(dir, quiet)
  spool.write = () => { throw new Error('ENOSPC: no space left on device') }
  const writer = writerWith(store, spool)
  store.down = true
  for (const r of records(10)) writer.record(r)
  await t.rejects(writer.flush(), { code: 'server.store_unavailable' })
  t.equal(writer.pending, 10, 'kept in memory')
  store.down = false
  await writer.close()
  t.equal(await store.real.count(), 10)
  await settle()
})

t.test('a disk that fills part-way through a write: the batch is not spooled at all, and stays in memory', async (t) => {
  const dir = t.testdir({})
  const store = await switchableStore(t)
  let room = 2000
  // As a nearly full disk does: takes what fits without an error, then fails.
  const fillingDisk = ((fd: number, buffer: Buffer, offset: number, length: number): number => {
    if (room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const taken = Math.min(room, length)
    room -= taken
    return writeSync(fd, buffer, offset, taken)
  }) as typeof writeSync
  const spool = new TransactionSpool(dir, quiet, fillingDisk)
  const writer = writerWith(store, spool)
  store.down = true
  for (const r of records(40)) writer.record(r)
  await t.rejects(writer.flush(), { code: 'server.store_unavailable' })
  t.equal(spool.size, 0, 'nothing counted as spooled')
  t.equal(writer.pending, 40, 'every record still in memory')
  const segments = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
  t.ok(segments.every((f) => readFileSync(join(dir, f), 'utf8') === ''), 'no half-written line left in the spool')
  store.down = false
  await writer.close()
  t.equal(await store.real.count(), 40, 'all delivered once the store is back')
  await settle()
})

t.test("a hub restarted under a new default gateway id delivers its earlier run's spool; a live process's spool is left alone", async (t) => {
  const root = t.testdir({})
  const store = await switchableStore(t)
  const ended = new TransactionSpool(join(root, 'host-4000000'), quiet)
  ended.write(records(30))
  ended.close()
  const alive = new TransactionSpool(join(root, 'host-live'), quiet)
  alive.write(records(5))
  alive.seal()
  const own = join(root, 'host-5000000')
  t.equal(adoptOrphanedSpools(root, own, (name) => name === 'host-4000000'), 1, 'one segment moved')
  t.notOk(existsSync(join(root, 'host-4000000')), 'the ended run leaves no directory')
  t.equal(readdirSync(join(root, 'host-live')).length, 1, "the live one's segment stays where it is")
  const spool = new TransactionSpool(own, quiet)
  t.equal(spool.size, 30)
  const writer = writerWith(store, spool)
  await until(t, () => spool.size === 0, 'delivered at start')
  await writer.close()
  t.equal(await store.real.count(), 30)
  spool.close()
  t.notOk(existsSync(own), 'an empty spool leaves no directory behind')
})
