// The thread that appends to the SQLite transaction log. Writing a batch (its blocks, ids and rollups)
// and checkpointing the WAL (page copies and an fsync) take milliseconds; here they never hold up the
// event loop that relays exchanges. Appends run one at a time, in the order they were posted.
// The thread keeps the event loop's priority. Run five nice values lower, on a core shared with the
// event loop, it is preempted whenever the event loop wakes: it took about 0.8 µs more CPU per
// exchange (4.1–4.7 µs against 3.4–4.0, six alternating runs), and the hub's added p99 at
// 1,000 req/s was no better (bench/hub.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { NdxpError } from '../../contracts/errors.js'
import type { FromWriterThread, ToWriterThread, WriterThreadSettings } from './sqlite-writer-protocol.js'
import { openSqliteTransactionStore, type SqliteTransactionStore } from './sqlite-store.js'

const port = parentPort
if (port === null) throw new Error('sqlite-writer-thread runs as a worker thread only')
const settings = workerData as WriterThreadSettings
const reply = (message: FromWriterThread): void => port.postMessage(message)

function failure (id: number | null, error: unknown): FromWriterThread {
  const code = error instanceof NdxpError ? error.code : 'server.store_unavailable'
  return { type: 'failed', id, code, message: (error as Error).message ?? String(error) }
}

let store: SqliteTransactionStore
try {
  store = await openSqliteTransactionStore({ ...settings })
} catch (error) {
  reply(failure(null, error))
  process.exit(1)
}
let queue = Promise.resolve()
port.on('message', (message: ToWriterThread) => {
  queue = queue.then(async () => {
    if (message.type === 'close') {
      await store.close()
      // Not port.close(): that could drop acknowledgements still on their way. With nothing left to
      // wait for the thread ends, and the hub receives every message sent before its 'exit'.
      port.removeAllListeners('message')
      port.unref()
      return
    }
    try {
      // Checked and encoded by toColumns on the hub's side: stored as they come, no records rebuilt.
      await store.appendColumns(message.columns)
      reply({ type: 'appended', id: message.id })
    } catch (error) {
      reply(failure(message.id, error))
    }
  })
})
reply({ type: 'ready' })
