// The SQLite transaction log as the hub runs it: appends go to a writer thread with its own
// connection, reads stay here on another (WAL lets readers and the writer work side by side). An
// append resolves once its batch is committed, so what `append` acknowledged, a read sees.
// If the thread dies, pending appends fail as `server.store_unavailable` (the transaction writer
// keeps or spools their records and retries) and the next append starts a new thread.
import { Worker } from 'node:worker_threads'
import { threadModule } from '../../common/thread-module.js'
import { NdxpError, type ErrorCode } from '../../contracts/errors.js'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { openSqliteTransactionStore, type SqliteTransactionStoreOptions } from './sqlite-store.js'
import type { FromWriterThread, ToWriterThread, WriterThreadSettings } from './sqlite-writer-protocol.js'
import { toColumns } from './record-columns.js'
import { storeClosed, type TransactionStore } from './store.js'

export interface ThreadedSqliteStoreOptions extends SqliteTransactionStoreOptions {
  /** Tests: sees each writer thread started, to stop one the way a crash would. */
  onWriterThread?: (thread: Worker) => void
}

interface Pending { resolve: () => void, reject: (error: Error) => void }

/** A file-backed log only: `:memory:` databases cannot be shared between threads (use openSqliteTransactionStore). */
export async function openThreadedSqliteTransactionStore (options: ThreadedSqliteStoreOptions): Promise<TransactionStore> {
  if (options.filename === ':memory:' || options.filename === '') {
    throw new NdxpError('client.bad_request', 'a threaded transaction log needs a file; use openSqliteTransactionStore for :memory:')
  }
  // Opening here first creates the file and applies migrations before the thread opens it.
  const reader = await openSqliteTransactionStore(options)
  const store = new ThreadedSqliteTransactionStore(reader, options)
  try {
    await store.start()
  } catch (error) {
    await reader.close()
    throw error
  }
  return store
}

class ThreadedSqliteTransactionStore implements TransactionStore {
  private thread: Worker | undefined
  private starting: Promise<Worker> | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false

  constructor (private readonly reader: TransactionStore, private readonly options: ThreadedSqliteStoreOptions) {}

  async start (): Promise<Worker> {
    this.starting ??= this.spawn().finally(() => { this.starting = undefined })
    return await this.starting
  }

  async append (records: readonly TransactionRecord[]): Promise<void> {
    if (this.closed) throw storeClosed()
    // Columns, not the record objects: see record-columns.ts. A malformed record fails here, as in the thread's store.
    const columns = toColumns(records)
    if (columns.count === 0) return
    const thread = this.thread ?? await this.start()
    const id = this.nextId++
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    if (this.pending.size === 1) thread.ref()
    thread.postMessage({ type: 'append', id, columns } satisfies ToWriterThread, [columns.numbers.buffer])
    await done
  }

  async get (id: string): Promise<TransactionRecord | undefined> { return await this.reader.get(id) }
  async query (query: TransactionQuery): Promise<TransactionPage> { return await this.reader.query(query) }
  async stats (query: StatsQuery): Promise<StatsResult> { return await this.reader.stats(query) }
  async count (): Promise<number> { return await this.reader.count() }

  /** Lets posted appends finish, then stops the thread and closes both connections. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const thread = this.thread ?? await this.starting?.catch(() => undefined)
    if (thread !== undefined) {
      const exited = new Promise((resolve) => thread.once('exit', resolve))
      thread.ref() // the process must wait for the last commits
      thread.postMessage({ type: 'close' } satisfies ToWriterThread)
      await exited
    }
    await this.reader.close()
  }

  private async spawn (): Promise<Worker> {
    const settings: WriterThreadSettings = {
      filename: this.options.filename,
      ...(this.options.maxTransactions === undefined ? {} : { maxTransactions: this.options.maxTransactions }),
      ...(this.options.cacheSizeMiB === undefined ? {} : { cacheSizeMiB: this.options.cacheSizeMiB }),
    }
    const module = threadModule(import.meta.url, 'sqlite-writer-thread')
    const thread = new Worker(module.url, { workerData: settings, execArgv: module.execArgv })
    // Kept alive only by what it owes: while an append is pending it holds the process open.
    thread.unref()
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWriterThread): void => {
        if (message.type === 'ready') done(undefined)
        else if (message.type === 'failed' && message.id === null) done(new NdxpError(asErrorCode(message.code), message.message))
      }
      const onError = (error: Error): void => done(error)
      const onExit = (code: number): void => done(new NdxpError('server.store_unavailable', `the transaction log's writer thread exited (${code}) while starting`))
      // Only these listeners: a worker's removeAllListeners would also cut its message delivery.
      const done = (error: Error | undefined): void => {
        thread.off('message', onMessage).off('error', onError).off('exit', onExit)
        if (error === undefined) resolve()
        else reject(error)
      }
      thread.on('message', onMessage).once('error', onError).once('exit', onExit)
    })
    thread.on('message', (message: FromWriterThread) => this.settle(message))
    thread.on('error', () => undefined) // 'exit' follows and says the rest
    thread.once('exit', (code) => this.lost(thread, code))
    this.thread = thread
    this.options.onWriterThread?.(thread)
    return thread
  }

  private settle (message: FromWriterThread): void {
    if (message.type === 'ready' || message.id === null) return
    const pending = this.pending.get(message.id)
    if (pending === undefined) return
    this.pending.delete(message.id)
    if (this.pending.size === 0 && !this.closed) this.thread?.unref()
    if (message.type === 'appended') pending.resolve()
    else pending.reject(new NdxpError(asErrorCode(message.code), message.message))
  }

  /** The thread ended: what it had not acknowledged may or may not be committed; appends are idempotent by id. */
  private lost (thread: Worker, code: number): void {
    if (this.thread === thread) this.thread = undefined
    if (this.closed && this.pending.size === 0) return
    const error = new NdxpError('server.store_unavailable', `the transaction log's writer thread exited (${code}); the batch will be retried`)
    for (const pending of this.pending.values()) pending.reject(error)
    this.pending.clear()
  }
}

function asErrorCode (code: string): ErrorCode {
  return code === 'client.bad_request' ? 'client.bad_request' : 'server.store_unavailable'
}
