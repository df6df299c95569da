// The read side of the SQLite log: one record, filtered keyset pages of records, and stats from rollups.
import type Database from 'better-sqlite3'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { COARSEST_LEVEL, LEVEL_MS, segmentsFor, viewFor } from './rollup.js'
import { NAME, RECORD_COLUMNS, toRecord, type NameKind, type RecordRow } from './sqlite-schema.js'
import type { SqliteNames } from './sqlite-names.js'
import { StatsBuilder, type RollupRow } from './stats-builder.js'
import { parseTransactionQuery, resolveStatsQuery } from './store.js'

const ORDER = 'ORDER BY request_in_ts DESC, seq DESC'

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
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const where: string[] = []
    const params: unknown[] = []
    // A name never stored matches nothing, and the rows need not be looked at.
    const byName = (column: string, kind: NameKind, value: string | undefined): boolean => {
      if (value === undefined) return true
      const id = this.names.find(kind, value)
      where.push(`${column} = ?`)
      params.push(id)
      return id !== undefined
    }
    const known = byName('client', NAME.client, query.client) && byName('service', NAME.service, query.service) &&
      byName('provider', NAME.provider, query.provider) && byName('outcome', NAME.outcome, query.outcome)
    const member = query.member === undefined ? undefined : this.names.find(NAME.member, query.member)
    if (!known || (query.member !== undefined && member === undefined)) return { items: [], nextCursor: null }
    if (query.status !== undefined) { where.push('status_code = ?'); params.push(query.status) }
    // A literal, not a parameter: only then can SQLite use the partial index of failed transactions.
    if (query.succeeded !== undefined) where.push(`succeeded = ${query.succeeded ? 1 : 0}`)
    if (query.from !== undefined) { where.push('request_in_ts >= ?'); params.push(query.from) }
    if (query.to !== undefined) { where.push('request_in_ts < ?'); params.push(query.to) }
    if (after !== undefined) {
      where.push('request_in_ts <= ? AND (request_in_ts < ? OR seq < ?)')
      params.push(after.ts, after.ts, after.tie)
    }
    const limit = query.limit
    const page = (extra: string | undefined): RecordRow[] => {
      const conditions = extra === undefined ? where : [...where, extra]
      const sql = `SELECT ${RECORD_COLUMNS} FROM transactions${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ${ORDER} LIMIT ?`
      return this.statement(sql).all(...params, ...(extra === undefined ? [] : [member]), limit + 1) as RecordRow[]
    }
    // Either side as two index walks merged here: an OR would make SQLite sort every match.
    const rows = this.db.transaction(() => member === undefined
      ? page(undefined)
      : mergeNewestFirst(page('client_member = ?'), page('service_member = ?'), limit + 1)).deferred()
    const items = rows.slice(0, limit).map((row) => toRecord(row, this.names.name(row.outcome)))
    const last = rows.length > limit ? rows[limit - 1] : undefined
    return { items, nextCursor: last === undefined ? null : encodeCursor({ ts: last.request_in_ts, tie: last.seq }) }
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

function mergeNewestFirst (a: RecordRow[], b: RecordRow[], limit: number): RecordRow[] {
  const seen = new Set<number>()
  return [...a, ...b]
    .sort((x, y) => y.request_in_ts - x.request_in_ts || y.seq - x.seq)
    .filter((row) => !seen.has(row.seq) && seen.add(row.seq) !== undefined)
    .slice(0, limit)
}
