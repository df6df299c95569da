// The thread that appends to the SQLite transaction log. Writing a batch (its blocks, ids and rollups)
// and checkpointing the WAL (page copies and an fsync) take milliseconds; here they never hold up the
// event loop that relays exchanges. Appends run one at a time, in the order they were posted.
import { parentPort, workerData } from 'node:worker_threads'
import { lowerThreadPriority } from '../../common/thread-priority.js'
import { NdxpError } from '../../contracts/errors.js'
import type { FromWriterThread, ToWriterThread, WriterThreadSettings } from './sqlite-writer-protocol.js'
import { openSqliteTransactionStore, type SqliteTransactionStore } from './sqlite-store.js'

const port = parentPort
if (port === null) throw new Error('sqlite-writer-thread runs as a worker thread only')
const settings = workerData as WriterThreadSettings
const reply = (message: FromWriterThread): void => port.postMessage(message)
/**
 * Five steps below the event loop: on a core they share, a batch being written (1–2.5 ms for 200
 * records on one core) no longer delays the exchanges that arrive meanwhile, which set the hub's p99
 * at a steady rate; at full load the thread still gets about a quarter of the core, several times
 * what the log needs (about 5% of an exchange's CPU).
 */
const WRITER_NICE_STEPS = 5
lowerThreadPriority(WRITER_NICE_STEPS)

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
