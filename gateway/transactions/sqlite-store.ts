// The embedded transaction log: blocks of records and per-minute/hour/day rollups in SQLite through
// better-sqlite3 (layout in sqlite-schema.ts and sqlite-blocks.ts).
// Retention: with maxTransactions set, the oldest records (by requestInTs) are deleted in batches after
// each append; rollups are never trimmed, so stats keep counting what the log no longer holds.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { NdxpError } from '../../contracts/errors.js'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { parseInput } from '../../registry/store.js'
import { mergeEncoded } from './histogram.js'
import { toColumns, type RecordColumns } from './record-columns.js'
import { BlockWriter } from './sqlite-block-writer.js'
import { migrate } from './sqlite-schema.js'
import { SqliteNames } from './sqlite-names.js'
import { SqliteReader } from './sqlite-reader.js'
import { storeClosed, type TransactionStore, type TransactionStoreOptions } from './store.js'

export interface SqliteTransactionStoreOptions extends TransactionStoreOptions {
  /** A file path (its directory is created), or `:memory:` for a store private to this process. */
  filename: string
  /** Page cache; the log's indexes are written all over, so a larger cache makes appends cheaper. */
  cacheSizeMiB?: number
}

const optionsSchema = z.object({
  filename: z.string(),
  maxTransactions: z.number().int().min(1).optional(),
  cacheSizeMiB: z.number().int().min(1).max(65_536).optional(),
})

/** Records deleted per retention transaction: short write transactions leave room for appends. */
const RETENTION_BATCH = 5_000

/** The SQLite store as its writer thread uses it: it also takes batches already encoded as columns. */
export interface SqliteTransactionStore extends TransactionStore {
  /** append() for records toColumns has checked and encoded. */
  appendColumns (columns: RecordColumns): Promise<void>
}

export async function openSqliteTransactionStore (options: SqliteTransactionStoreOptions): Promise<SqliteTransactionStore> {
  parseInput(optionsSchema, { filename: options.filename, maxTransactions: options.maxTransactions, cacheSizeMiB: options.cacheSizeMiB }, 'transaction store options')
  const { filename } = options
  let db: Database.Database | undefined
  try {
    if (filename !== ':memory:' && filename !== '') mkdirSync(dirname(filename), { recursive: true })
    db = new Database(filename)
    // Blocks are tens of kilobytes: larger pages mean fewer WAL frames, checksums and overflow pages
    // per append (about 10% less writer time than 4 KiB). Only a new file takes it; others keep theirs.
    db.pragma('page_size = 16384')
    db.pragma('journal_mode = WAL') // stays "memory" for :memory:
    db.pragma('synchronous = NORMAL') // durable at each checkpoint, which WAL makes safe
    db.pragma(`cache_size = ${-1024 * (options.cacheSizeMiB ?? 64)}`)
    // Deterministic, so SQLite may use it anywhere; each connection registers its own.
    db.function('ndxp_histogram_merge', { deterministic: true }, (a: unknown, b: unknown) => mergeEncoded(String(a), String(b)))
    migrate(db)
  } catch (error) {
    db?.close()
    throw new NdxpError('server.store_unavailable', `Cannot open the transaction log ${JSON.stringify(filename)}: ${(error as Error).message}`, { cause: error })
  }
  return new SqliteStore(db, options)
}

class SqliteStore implements SqliteTransactionStore {
  private readonly names: SqliteNames
  private readonly reader: SqliteReader
  private readonly writer: BlockWriter
  private readonly rows: Database.Statement
  private readonly write: (columns: RecordColumns) => number
  private readonly trimBatch: (limit: number) => number
  private closed = false

  constructor (private readonly db: Database.Database, private readonly options: SqliteTransactionStoreOptions) {
    this.names = new SqliteNames(db)
    this.reader = new SqliteReader(db, this.names)
    this.writer = new BlockWriter(db, this.names)
    this.rows = db.prepare("SELECT value FROM transaction_meta WHERE key = 'rows'").pluck()
    // IMMEDIATE: take the write lock up front, so a second connection waits instead of failing mid-way.
    this.write = db.transaction((columns: RecordColumns) => this.writer.append(columns)).immediate
    this.trimBatch = db.transaction((limit: number) => this.writer.trimOldest(limit)).immediate
  }

  async append (records: readonly TransactionRecord[]): Promise<void> {
    this.ensureOpen()
    await this.appendColumns(toColumns(records))
  }

  async appendColumns (columns: RecordColumns): Promise<void> {
    this.ensureOpen()
    if (columns.count === 0) return
    this.guard(() => {
      try {
        this.write(columns)
      } catch (error) {
        this.names.forget()
        throw error
      }
      this.retain()
    })
  }

  async get (id: string): Promise<TransactionRecord | undefined> {
    this.ensureOpen()
    parseInput(z.string().max(200), id, 'transaction id')
    return this.guard(() => this.reader.get(id))
  }

  async query (query: TransactionQuery): Promise<TransactionPage> {
    this.ensureOpen()
    return this.guard(() => this.reader.query(query))
  }

  async stats (query: StatsQuery): Promise<StatsResult> {
    this.ensureOpen()
    return this.guard(() => this.reader.stats(query, (this.options.clock ?? Date.now)()))
  }

  async count (): Promise<number> {
    this.ensureOpen()
    return this.guard(() => this.rows.get() as number)
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  /** Deletes the oldest records beyond maxTransactions, a batch per transaction. */
  private retain (): void {
    const max = this.options.maxTransactions
    if (max === undefined) return
    for (let excess = (this.rows.get() as number) - max; excess > 0;) {
      const deleted = this.trimBatch(Math.min(excess, RETENTION_BATCH))
      if (deleted === 0) break
      excess -= deleted
    }
  }

  private ensureOpen (): void {
    if (this.closed) throw storeClosed()
  }

  /** SQLite failures (busy, full disk, I/O) become the catalogue's store error; ours pass through. */
  private guard<T> (work: () => T): T {
    try {
      return work()
    } catch (error) {
      if (error instanceof NdxpError) throw error
      throw new NdxpError('server.store_unavailable', `The transaction log failed: ${(error as Error).message}`, { cause: error })
    }
  }
}
