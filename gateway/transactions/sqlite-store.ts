// The embedded transaction log: rows and per-minute/hour/day rollups in SQLite through better-sqlite3.
// Retention: with maxTransactions set, the oldest rows (by requestInTs) are deleted in batches after
// each append; rollups are never trimmed, so stats keep counting what the rows no longer show.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { NdxpError } from '../../contracts/errors.js'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { parseInput } from '../../registry/store.js'
import { encodeCounts, mergeEncoded } from './histogram.js'
import { RollupBatch } from './rollup.js'
import { INSERT_RECORD, NAME, insertParams, migrate, type Interned } from './sqlite-schema.js'
import { SqliteNames } from './sqlite-names.js'
import { SqliteReader } from './sqlite-reader.js'
import { checkRecords, joinKnown, memberOf, storeClosed, type TransactionStore, type TransactionStoreOptions } from './store.js'

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

/** Rows deleted per retention statement: short write transactions leave room for appends. */
const RETENTION_BATCH = 5_000

const UPSERT_ROLLUP = `INSERT INTO transaction_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET count = count + excluded.count, succeeded = succeeded + excluded.succeeded,
  sum_ms = sum_ms + excluded.sum_ms, max_ms = max(max_ms, excluded.max_ms),
  histogram = ndxp_histogram_merge(histogram, excluded.histogram)`

export async function openSqliteTransactionStore (options: SqliteTransactionStoreOptions): Promise<TransactionStore> {
  parseInput(optionsSchema, { filename: options.filename, maxTransactions: options.maxTransactions, cacheSizeMiB: options.cacheSizeMiB }, 'transaction store options')
  const { filename } = options
  let db: Database.Database | undefined
  try {
    if (filename !== ':memory:' && filename !== '') mkdirSync(dirname(filename), { recursive: true })
    db = new Database(filename)
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
  return new SqliteTransactionStore(db, options)
}

class SqliteTransactionStore implements TransactionStore {
  private readonly names: SqliteNames
  private readonly reader: SqliteReader
  private readonly insert: Database.Statement
  private readonly upsert: Database.Statement
  private readonly addRows: Database.Statement<[number]>
  private readonly trim: Database.Statement<[number]>
  private readonly rows: Database.Statement
  private readonly write: (records: readonly TransactionRecord[]) => number
  private readonly trimBatch: (limit: number) => number
  private closed = false

  constructor (private readonly db: Database.Database, private readonly options: SqliteTransactionStoreOptions) {
    this.names = new SqliteNames(db)
    this.reader = new SqliteReader(db, this.names)
    this.insert = db.prepare(INSERT_RECORD)
    this.upsert = db.prepare(UPSERT_ROLLUP)
    this.addRows = db.prepare("UPDATE transaction_meta SET value = value + ? WHERE key = 'rows'")
    this.trim = db.prepare('DELETE FROM transactions WHERE seq IN (SELECT seq FROM transactions ORDER BY request_in_ts, seq LIMIT ?)')
    this.rows = db.prepare("SELECT value FROM transaction_meta WHERE key = 'rows'").pluck()
    // IMMEDIATE: take the write lock up front, so a second connection waits instead of failing mid-way.
    this.write = db.transaction((records: readonly TransactionRecord[]) => this.writeBatch(records)).immediate
    this.trimBatch = db.transaction((limit: number) => {
      const deleted = this.trim.run(limit).changes
      this.addRows.run(-deleted)
      return deleted
    }).immediate
  }

  async append (records: readonly TransactionRecord[]): Promise<void> {
    this.ensureOpen()
    checkRecords(records)
    if (records.length === 0) return
    this.guard(() => {
      try {
        this.write(records)
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

  private writeBatch (records: readonly TransactionRecord[]): number {
    const batch = new RollupBatch<number>(0)
    let inserted = 0
    for (const record of records) {
      const interned = this.intern(record)
      // Already stored (a replay, or the same id twice in one batch): neither a row nor a count.
      if (this.insert.run(insertParams(record, interned)).changes === 0) continue
      inserted++
      batch.add(record, { ...interned, status: record.statusCode })
    }
    for (const d of batch.values()) {
      this.upsert.run(d.view, d.level, d.start, d.client, d.service, d.provider, d.status, d.outcome, d.clientMember,
        d.serviceMember, d.count, d.succeeded, d.sumMs, d.maxMs, encodeCounts(d.buckets))
    }
    if (inserted > 0) this.addRows.run(inserted)
    return inserted
  }

  /** The names dimensionsOf gives, interned from the identifier parts without building strings. */
  private intern (r: TransactionRecord): Interned {
    const names = this.names
    return {
      client: names.internTuple(NAME.client, [r.clientInstance, r.clientMemberClass, r.clientMemberCode, r.clientSubsystemCode], joinKnown),
      service: names.internTuple(NAME.service, [r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode, r.serviceSubsystemCode, r.serviceCode], joinKnown),
      clientMember: names.internTuple(NAME.member, [r.clientInstance, r.clientMemberClass, r.clientMemberCode], memberOf),
      serviceMember: names.internTuple(NAME.member, [r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode], memberOf),
      provider: names.internTuple(NAME.provider, [r.providerNodeId], (parts) => parts[0] ?? ''),
      outcome: names.internTuple(NAME.outcome, [r.outcome], (parts) => parts[0] as string),
    }
  }

  /** Deletes the oldest rows beyond maxTransactions, a batch per transaction. */
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
