// The SQLite log as the hub runs it, appends on a writer thread: the same contract as the inline
// store, the thread's failures turned into retryable errors, and the event loop free while it writes.
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import t from 'tap'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import { openThreadedSqliteTransactionStore } from '../../gateway/transactions/sqlite-threaded-store.js'
import { HOUR_MS } from '../../gateway/transactions/store.js'
import { T0, bruteForceStats, expectError, makeRecord, sameStats, syntheticRecords, transactionStoreContract } from './transaction-store-contract.js'

const dir = t.testdir({})
let files = 0
const nextFile = (): string => join(dir, `threaded-${files++}.db`)

transactionStoreContract(t, 'SQLite file, writer thread', (options) => openThreadedSqliteTransactionStore({ filename: nextFile(), ...options }))

t.test(':memory: is refused with the store to use instead', async (t) => {
  await expectError(t, openThreadedSqliteTransactionStore({ filename: ':memory:' }), 'client.bad_request', /openSqliteTransactionStore/)
})

t.test('a malformed record is refused by the thread, and the thread goes on', async (t) => {
  const store = await openThreadedSqliteTransactionStore({ filename: nextFile() })
  t.teardown(() => store.close())
  await expectError(t, store.append([{ ...makeRecord(), requestInTs: -5 }]), 'client.bad_request', /index 0/)
  await expectError(t, store.append([makeRecord(), { nonsense: true } as never]), 'client.bad_request', /index 1/)
  // What could not even be cloned to the thread fails at once, naming the field.
  await expectError(t, store.append([makeRecord(), { ...makeRecord(), issue: (() => 'x') as never }]), 'client.bad_request', /index 1: issue/)
  await store.append([makeRecord()])
  t.equal(await store.count(), 1, 'nothing of a refused batch was written')
  // Fields beyond the record's are not the log's, as in the store without a thread: left behind, whatever they hold.
  const record = makeRecord()
  await store.append([{ ...record, toJSON: () => 'x', note: Symbol('n') } as never])
  t.strictSame(await store.get(record.id), record)
})

t.test('a writer thread that dies fails its pending appends as retryable; the next append starts a new one', async (t) => {
  const threads: Worker[] = []
  const filename = nextFile()
  const store = await openThreadedSqliteTransactionStore({ filename, onWriterThread: (thread) => threads.push(thread) })
  t.teardown(() => store.close())
  const records = syntheticRecords(3000, T0, HOUR_MS)
  await store.append(records.slice(0, 1000))
  const pending = store.append(records.slice(1000, 2000))
  void threads[0]?.terminate()
  await expectError(t, pending, 'server.store_unavailable', /writer thread exited/)
  // The transaction writer retries the same batch: appends are idempotent by id.
  await store.append(records.slice(1000, 2000))
  await store.append(records.slice(1000, 3000))
  t.equal(threads.length, 2, 'a second thread was started')
  t.equal(await store.count(), 3000, 'every record once, none doubled')
  sameStats(t, await store.stats({ from: T0, to: T0 + HOUR_MS, interval: 'hour', groupBy: ['client'] }),
    bruteForceStats(records, T0, T0 + HOUR_MS, 'hour', ['client']), 'rollups count each record once')
})

t.test('close lets posted appends finish, and the file reopens with everything in it', async (t) => {
  const filename = nextFile()
  const store = await openThreadedSqliteTransactionStore({ filename })
  const records = syntheticRecords(2000, T0, HOUR_MS)
  const appends = [store.append(records.slice(0, 1000)), store.append(records.slice(1000))]
  await store.close()
  await Promise.all(appends)
  await expectError(t, store.append([makeRecord()]), 'server.store_unavailable', /closed/)
  const reopened = await openSqliteTransactionStore({ filename })
  t.teardown(() => reopened.close())
  t.equal(await reopened.count(), 2000)
})

t.test('while the thread writes, the event loop is not held up the way an inline append holds it', async (t) => {
  const records = syntheticRecords(20_000, T0, HOUR_MS)
  // How long each append holds the event loop (what it does before its first wait), batch by batch
  // over 20,000 records in batches of 500, the loop turning between batches as it does in the hub.
  // The median, not the longest: one GC pause or a busy machine must not decide it.
  const medianHold = async (append: (batch: typeof records) => Promise<void>): Promise<number> => {
    const holds: number[] = []
    for (let i = 0; i < records.length; i += 500) {
      const started = performance.now()
      const appended = append(records.slice(i, i + 500))
      holds.push(performance.now() - started)
      await appended
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    return holds.sort((x, y) => x - y)[Math.floor(holds.length / 2)] as number
  }
  const inline = await openSqliteTransactionStore({ filename: nextFile() })
  t.teardown(() => inline.close())
  const threaded = await openThreadedSqliteTransactionStore({ filename: nextFile() })
  t.teardown(() => threaded.close())
  const inlineHold = await medianHold((batch) => inline.append(batch))
  const threadedHold = await medianHold((batch) => threaded.append(batch))
  t.comment(`median event-loop hold per batch of 500: inline ${inlineHold.toFixed(2)} ms, writer thread ${threadedHold.toFixed(2)} ms`)
  t.ok(threadedHold < inlineHold, 'appending on the thread holds the loop less than appending inline')
  t.equal(await threaded.count(), records.length)
})
