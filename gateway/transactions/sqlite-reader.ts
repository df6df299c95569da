// The read side of the SQLite log: one record, filtered keyset pages of records, and stats from rollups.
import type Database from 'better-sqlite3'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { BY_CLIENT, COARSEST_LEVEL, LEVEL_MS, segmentsFor, viewFor } from './rollup.js'
import { blockRecord, decodeBlock, DIM, DIMENSION_COUNT, fieldOf, idOf, SLOTS_PER_BLOCK, type Block } from './sqlite-blocks.js'
import { NAME, type SqliteNames } from './sqlite-names.js'
import { StatsBuilder, type RollupRow } from './stats-builder.js'
import { MINUTE_MS, parseTransactionQuery, resolveStatsQuery } from './store.js'

/** Candidate minutes read at a time, newest first. */
const MINUTES_PER_READ = 64

/** A record a page may serve: its block, its place in it, and its position in the page order. */
interface Match { block: Block, index: number, ts: number, tie: number }
const newestFirst = (a: Match, b: Match): number => b.ts - a.ts || b.tie - a.tie
/** Whether a page takes the record at `index` (its requestInTs and tie given, as they are read once). */
type RecordTest = (block: Block, index: number, ts: number, tie: number) => boolean

export class SqliteReader {
  private readonly statements = new Map<string, Database.Statement>()
  private readonly tieOf: Database.Statement<[string]>
  private readonly blockData: Database.Statement<[number]>
  private readonly blocksOfMinute: Database.Statement<[number]>
  private readonly oldestMinute: Database.Statement<[]>

  constructor (private readonly db: Database.Database, private readonly names: SqliteNames) {
    this.tieOf = db.prepare('SELECT tie FROM transaction_ids WHERE id = ?').pluck()
    this.blockData = db.prepare('SELECT data FROM transaction_blocks WHERE seq = ?').pluck()
    this.blocksOfMinute = db.prepare('SELECT seq, min_ts, max_ts FROM transaction_blocks WHERE minute = ?')
    this.oldestMinute = db.prepare('SELECT minute FROM transaction_blocks ORDER BY minute LIMIT 1').pluck()
  }

  get (id: string): TransactionRecord | undefined {
    return this.db.transaction(() => {
      const tie = this.tieOf.get(id) as number | undefined
      if (tie === undefined) return undefined
      const block = decodeBlock(this.blockData.get(Math.floor(tie / SLOTS_PER_BLOCK)) as Buffer)
      const index = block.slots.indexOf(tie % SLOTS_PER_BLOCK)
      return index === -1 || idOf(block, index) !== id ? undefined : blockRecord(block, index)
    }).deferred()
  }

  /**
   * Newest first. Candidate minutes come newest first, from the blocks themselves or, for a filtered
   * page, from the rollups that count a match (minutes without one are never read); in each minute,
   * matches are sorted by requestInTs, then arrival.
   */
  query (input: TransactionQuery): TransactionPage {
    const query = parseTransactionQuery(input)
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 's')
    const filter = this.filterOf(query)
    if (filter === undefined) return { items: [], nextCursor: null }
    const from = query.from ?? 0
    const to = Math.min(query.to ?? Infinity, after === undefined ? Infinity : after.ts + 1)
    const matches = (block: Block, index: number, ts: number, tie: number): boolean => {
      return ts >= from && ts < to && (after === undefined || ts < after.ts || tie < after.tie) && filter.matches(block, index)
    }
    const wanted = query.limit + 1
    // One read transaction: the minutes and the blocks they hold come from the same appends.
    const found = this.db.transaction(() => this.matchesByMinute(filter, from, to, matches, wanted)).deferred()
    const items = found.slice(0, query.limit).map((m) => blockRecord(m.block, m.index))
    const last = found.length > query.limit ? found[query.limit - 1] : undefined
    return { items, nextCursor: last === undefined ? null : encodeCursor({ ts: last.ts, tie: last.tie }, 's') }
  }

  private matchesByMinute (filter: RecordFilter, from: number, before: number, matches: RecordTest, wanted: number): Match[] {
    const found: Match[] = []
    const oldest = this.oldestMinute.get() as number | undefined
    if (oldest === undefined) return found
    const minutes = filter.rollupWhere.length === 0
      ? this.statement('SELECT DISTINCT minute FROM transaction_blocks WHERE minute >= ? AND minute < ? ORDER BY minute DESC LIMIT ' + MINUTES_PER_READ).pluck()
      : this.statement(`SELECT DISTINCT start FROM transaction_rollups WHERE view = ${BY_CLIENT} AND level = 0
        AND start >= ? AND start < ?${filter.rollupWhere.map((w) => ` AND ${w}`).join('')} ORDER BY start DESC LIMIT ${MINUTES_PER_READ}`).pluck()
    // Rollups outlive trimmed records: no minute before the oldest block's is worth reading.
    const lowest = Math.max(from - (from % MINUTE_MS), oldest)
    let upper = before
    while (found.length < wanted && upper > lowest) {
      const starts = minutes.all(lowest, upper, ...filter.rollupParams) as number[]
      for (const start of starts) {
        found.push(...this.matchesInMinute(start, from, before, matches, wanted - found.length))
        if (found.length >= wanted) break
      }
      if (starts.length < MINUTES_PER_READ) break
      upper = starts[starts.length - 1] as number
    }
    return found
  }

  /**
   * The `wanted` newest matches of one minute. Its blocks are read latest-ending first, and only while
   * one could still hold a match newer than the `wanted`th found: under load a minute holds a thousand
   * blocks, and a page needs the few that end last.
   */
  private matchesInMinute (start: number, from: number, before: number, matches: RecordTest, wanted: number): Match[] {
    const metas = (this.blocksOfMinute.all(start) as Array<{ seq: number, min_ts: number, max_ts: number }>)
      .filter((meta) => meta.max_ts >= from && meta.min_ts < before)
      .sort((a, b) => b.max_ts - a.max_ts)
    const inMinute: Match[] = []
    for (const meta of metas) {
      if (inMinute.length >= wanted) {
        inMinute.sort(newestFirst)
        inMinute.length = wanted
        if (meta.max_ts < (inMinute[wanted - 1] as Match).ts) break
      }
      const block = decodeBlock(this.blockData.get(meta.seq) as Buffer)
      for (let index = 0; index < block.count; index++) {
        const ts = fieldOf(block, index, 'requestInTs')
        const tie = meta.seq * SLOTS_PER_BLOCK + (block.slots[index] as number)
        if (matches(block, index, ts, tie)) inMinute.push({ block, index, ts, tie })
      }
    }
    return inMinute.sort(newestFirst).slice(0, wanted)
  }

  /** The dimension filters, on records and on minute rollups; undefined when a name was never stored. */
  private filterOf (query: TransactionQuery): RecordFilter | undefined {
    const tests: Array<(block: Block, index: number) => boolean> = []
    const rollupWhere: string[] = []
    const rollupParams: unknown[] = []
    for (const [column, kind, value] of [['client', NAME.client, query.client], ['service', NAME.service, query.service],
      ['provider', NAME.provider, query.provider], ['outcome', NAME.outcome, query.outcome]] as const) {
      if (value === undefined) continue
      // A name never stored matches nothing, and the blocks need not be looked at.
      const id = this.names.find(kind, value)
      if (id === undefined) return undefined
      const at = DIM[column]
      tests.push((block, index) => block.dims[index * DIMENSION_COUNT + at] === id)
      rollupWhere.push(`${column} = ?`)
      rollupParams.push(id)
    }
    if (query.member !== undefined) {
      const id = this.names.find(NAME.member, query.member)
      if (id === undefined) return undefined
      tests.push((block, index) => block.dims[index * DIMENSION_COUNT + DIM.clientMember] === id || block.dims[index * DIMENSION_COUNT + DIM.serviceMember] === id)
      rollupWhere.push('(client_member = ? OR service_member = ?)')
      rollupParams.push(id, id)
    }
    const status = query.status
    if (status !== undefined) {
      tests.push((block, index) => fieldOf(block, index, 'statusCode') === status)
      rollupWhere.push('status = ?')
      rollupParams.push(status)
    }
    const succeeded = query.succeeded
    if (succeeded !== undefined) {
      tests.push((block, index) => (fieldOf(block, index, 'succeeded') === 1) === succeeded)
      rollupWhere.push(succeeded ? 'succeeded > 0' : 'succeeded < count')
    }
    return { rollupWhere, rollupParams, matches: (block, index) => tests.every((test) => test(block, index)) }
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

interface RecordFilter { rollupWhere: string[], rollupParams: unknown[], matches: (block: Block, index: number) => boolean }
