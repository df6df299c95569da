// The read side of the SQLite log: one record, filtered keyset pages of records, and stats from rollups.
import type Database from 'better-sqlite3'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { BY_CLIENT, COARSEST_LEVEL, LEVEL_MS, segmentsFor, viewFor } from './rollup.js'
import { NAME, RECORD_COLUMNS, toRecord, type RecordRow } from './sqlite-schema.js'
import type { SqliteNames } from './sqlite-names.js'
import { StatsBuilder, type RollupRow } from './stats-builder.js'
import { MINUTE_MS, parseTransactionQuery, resolveStatsQuery } from './store.js'

const ORDER = 'ORDER BY request_in_ts DESC, seq DESC'
/** Candidate minutes read from the rollups at a time, newest first. */
const MINUTES_PER_READ = 64

export class SqliteReader {
  private readonly statements = new Map<string, Database.Statement>()
  private readonly byId: Database.Statement<[string]>

  constructor (private readonly db: Database.Database, private readonly names: SqliteNames) {
    this.byId = db.prepare(`SELECT ${RECORD_COLUMNS} FROM transactions WHERE id = ?`)
  }

  get (id: string): TransactionRecord | undefined {
    const row = this.byId.get(id) as RecordRow | undefined
    return row === undefined ? undefined : toRecord(row, this.names.name(row.outcome))
  }

  query (input: TransactionQuery): TransactionPage {
    const query = parseTransactionQuery(input)
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 's')
    const filter = this.filterOf(query)
    if (filter === undefined) return { items: [], nextCursor: null }
    const where: string[] = [...filter.where]
    const params: unknown[] = [...filter.params]
    if (query.from !== undefined) { where.push('request_in_ts >= ?'); params.push(query.from) }
    if (query.to !== undefined) { where.push('request_in_ts < ?'); params.push(query.to) }
    if (after !== undefined) {
      where.push('request_in_ts <= ? AND (request_in_ts < ? OR seq < ?)')
      params.push(after.ts, after.ts, after.tie)
    }
    const wanted = query.limit + 1
    // One read transaction: the minutes and the rows they hold come from the same appends.
    const rows = this.db.transaction(() => filter.where.length === 0
      ? this.rowsIn(where, params, wanted)
      : this.rowsByMinute(filter, where, params, wanted, query.from, Math.min(query.to ?? Infinity, after === undefined ? Infinity : after.ts + 1))).deferred()
    const items = rows.slice(0, query.limit).map((row) => toRecord(row, this.names.name(row.outcome)))
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
    return { items, nextCursor: last === undefined ? null : encodeCursor({ ts: last.request_in_ts, tie: last.seq }, 's') }
  }

  /**
   * Rows carry one index besides the id's, by time: a secondary index per dimension cost the writer
   * more than a third of its time. A filtered page walks back through the minutes whose rollups
   * count a match, and reads each minute's rows by time; minutes without a match are never read.
   */
  private rowsByMinute (filter: RowFilter, where: string[], params: unknown[], wanted: number, from: number | undefined, before: number): RecordRow[] {
    const rows: RecordRow[] = []
    const minutes = this.statement(`SELECT DISTINCT start FROM transaction_rollups WHERE view = ${BY_CLIENT} AND level = 0
      AND start >= ? AND start < ?${filter.rollupWhere.map((w) => ` AND ${w}`).join('')} ORDER BY start DESC LIMIT ${MINUTES_PER_READ}`).pluck()
    const inMinute = this.statement(`SELECT ${RECORD_COLUMNS} FROM transactions WHERE request_in_ts >= ? AND request_in_ts < ?${where.map((w) => ` AND ${w}`).join('')} ${ORDER} LIMIT ?`)
    const lowest = from === undefined ? 0 : from - (from % MINUTE_MS)
    let upper = before
    while (rows.length < wanted && upper > lowest) {
      const starts = minutes.all(lowest, upper, ...filter.rollupParams) as number[]
      for (const start of starts) {
        rows.push(...inMinute.all(start, start + MINUTE_MS, ...params, wanted - rows.length) as RecordRow[])
        if (rows.length >= wanted) break
      }
      if (starts.length < MINUTES_PER_READ) break
      upper = starts[starts.length - 1] as number
    }
    return rows
  }

  private rowsIn (where: string[], params: unknown[], wanted: number): RecordRow[] {
    const sql = `SELECT ${RECORD_COLUMNS} FROM transactions${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ${ORDER} LIMIT ?`
    return this.statement(sql).all(...params, wanted) as RecordRow[]
  }

  /** The dimension filters, on rows and on minute rollups; undefined when a name was never stored. */
  private filterOf (query: TransactionQuery): RowFilter | undefined {
    const filter: RowFilter = { where: [], params: [], rollupWhere: [], rollupParams: [] }
    const both = (condition: string, ...values: unknown[]): void => {
      filter.where.push(condition)
      filter.params.push(...values)
      filter.rollupWhere.push(condition)
      filter.rollupParams.push(...values)
    }
    for (const [column, kind, value] of [['client', NAME.client, query.client], ['service', NAME.service, query.service],
      ['provider', NAME.provider, query.provider], ['outcome', NAME.outcome, query.outcome]] as const) {
      if (value === undefined) continue
      // A name never stored matches nothing, and the rows need not be looked at.
      const id = this.names.find(kind, value)
      if (id === undefined) return undefined
      both(`${column} = ?`, id)
    }
    if (query.member !== undefined) {
      const id = this.names.find(NAME.member, query.member)
      if (id === undefined) return undefined
      both('(client_member = ? OR service_member = ?)', id, id)
    }
    if (query.status !== undefined) {
      filter.where.push('status_code = ?')
      filter.params.push(query.status)
      filter.rollupWhere.push('status = ?')
      filter.rollupParams.push(query.status)
    }
    if (query.succeeded !== undefined) {
      filter.where.push(`succeeded = ${query.succeeded ? 1 : 0}`)
      filter.rollupWhere.push(query.succeeded ? 'succeeded > 0' : 'succeeded < count')
    }
    return filter
  }

  stats (input: StatsQuery, now: number): StatsResult {
    const query = resolveStatsQuery(input, now)
    // Minutes and hours never span two segments (see segmentsFor), so each grouped row is an answer row.
    const builder = new StatsBuilder(query, query.interval === 'minute' || query.interval === 'hour')
    const where: string[] = []
    const params: unknown[] = []
    for (const [column, kind] of [['client', NAME.client], ['service', NAME.service]] as const) {
      const value = query[column]
      if (value === undefined) continue
      const id = this.names.find(kind, value)
      if (id === undefined) return builder.build()
      where.push(`${column} = ?`)
      params.push(id)
    }
    if (query.member !== undefined) {
      const id = this.names.find(NAME.member, query.member)
      if (id === undefined) return builder.build()
      where.push('(client_member = ? OR service_member = ?)')
      params.push(id, id)
    }
    // SQLite sums each group and concatenates its histograms (pairs add up in any order), so that
    // JavaScript sees about one row per answer row. For days and totals it groups by each rollup
    // row's own start and the builder merges: one concatenation then never spans more than a day,
    // however long the range.
    const bucket = query.interval === 'hour' ? `start - start % ${LEVEL_MS[1]}` : 'start'
    const dimensions = builder.dimensions.map((d) => `, ${d}`).join('')
    const sql = `SELECT ${bucket} AS bucket, sum(count), sum(succeeded), sum(sum_ms), max(max_ms), group_concat(histogram, '')${dimensions}
      FROM transaction_rollups WHERE view = ? AND level = ? AND start >= ? AND start < ?${where.map((w) => ` AND ${w}`).join('')}
      GROUP BY bucket${dimensions}`
    const statement = this.statement(sql).raw(true)
    const view = viewFor(query)
    // One read transaction: every segment sees the same appends.
    this.db.transaction(() => {
      for (const segment of segmentsFor(query.from, query.to, COARSEST_LEVEL[query.interval])) {
        builder.addRows(statement.all(view, segment.level, segment.from, segment.to, ...params) as RollupRow[])
      }
    }).deferred()
    return builder.build((dimension, value) => dimension === 'status' ? value : this.names.name(value as number))
  }

  private statement (sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }
}

interface RowFilter { where: string[], params: unknown[], rollupWhere: string[], rollupParams: unknown[] }
