// The write side of the SQLite log: appended records go into blocks (sqlite-blocks.ts), one per
// minute they fall in, their ids into the id index (which skips replays), their counts into the
// rollups; and retention takes the oldest records out again. Every method runs inside the caller's
// write transaction.
import type Database from 'better-sqlite3'
import { encodeCounts } from './histogram.js'
import { FIELD_COUNT, FIELD_OFFSET, type RecordColumns } from './record-columns.js'
import { RollupBatch, type RollupDimensions } from './rollup.js'
import { decodeBlock, DIMENSION_COUNT, encodeBlock, fieldOf, idOf, SLOTS_PER_BLOCK, subBlock, timeRange, type Block } from './sqlite-blocks.js'
import { NAME, type SqliteNames } from './sqlite-names.js'
import { joinKnown, memberOf, MINUTE_MS } from './store.js'

const UPSERT_ROLLUP = `INSERT INTO transaction_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET count = count + excluded.count, succeeded = succeeded + excluded.succeeded,
  sum_ms = sum_ms + excluded.sum_ms, max_ms = max(max_ms, excluded.max_ms),
  histogram = ndxp_histogram_merge(histogram, excluded.histogram)`

const F = FIELD_OFFSET
/** The string fields the interned dimensions follow from: equal indexes in one batch mean equal names. */
const DIMENSION_FIELDS = [F.clientInstance, F.clientMemberClass, F.clientMemberCode, F.clientSubsystemCode, F.serviceInstance,
  F.serviceMemberClass, F.serviceMemberCode, F.serviceSubsystemCode, F.serviceCode, F.providerNodeId, F.outcome]

interface BlockMeta { seq: number, count: number, min_ts: number, max_ts: number }

export class BlockWriter {
  private readonly insertId: Database.Statement<[string, number]>
  private readonly insertIds: Database.Statement<[number, string]>
  private readonly unInsertIds: Database.Statement<[string, number, number]>
  private readonly deleteId: Database.Statement<[string]>
  private readonly insertBlock: Database.Statement<[number, number, number, number, number, Buffer]>
  private readonly updateBlock: Database.Statement<[number, number, number, Buffer, number]>
  private readonly deleteBlock: Database.Statement<[number]>
  private readonly nextSeq: Database.Statement<[]>
  private readonly upsert: Database.Statement
  private readonly addRows: Database.Statement<[number]>
  private readonly oldestMinute: Database.Statement<[]>
  private readonly blocksOfMinute: Database.Statement<[number]>
  private readonly blockData: Database.Statement<[number]>

  constructor (db: Database.Database, private readonly names: SqliteNames) {
    this.insertId = db.prepare('INSERT OR IGNORE INTO transaction_ids (id, tie) VALUES (?, ?)')
    // A block's ids in one statement: a statement per id cost the writer thread about a fifth of its time.
    this.insertIds = db.prepare('INSERT OR IGNORE INTO transaction_ids (id, tie) SELECT value, ? + key FROM json_each(?)')
    this.unInsertIds = db.prepare('DELETE FROM transaction_ids WHERE id IN (SELECT value FROM json_each(?)) AND tie BETWEEN ? AND ?')
    this.deleteId = db.prepare('DELETE FROM transaction_ids WHERE id = ?')
    this.insertBlock = db.prepare('INSERT INTO transaction_blocks (seq, minute, count, min_ts, max_ts, data) VALUES (?, ?, ?, ?, ?, ?)')
    this.updateBlock = db.prepare('UPDATE transaction_blocks SET count = ?, min_ts = ?, max_ts = ?, data = ? WHERE seq = ?')
    this.deleteBlock = db.prepare('DELETE FROM transaction_blocks WHERE seq = ?')
    this.nextSeq = db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM transaction_blocks').pluck()
    this.upsert = db.prepare(UPSERT_ROLLUP)
    this.addRows = db.prepare("UPDATE transaction_meta SET value = value + ? WHERE key = 'rows'")
    this.oldestMinute = db.prepare('SELECT minute FROM transaction_blocks ORDER BY minute LIMIT 1').pluck()
    this.blocksOfMinute = db.prepare('SELECT seq, count, min_ts, max_ts FROM transaction_blocks WHERE minute = ?')
    this.blockData = db.prepare('SELECT data FROM transaction_blocks WHERE seq = ?').pluck()
  }

  /**
   * Stores the records whose ids are new, in arrival order, and counts them in the rollups and the
   * row count; returns how many were stored. `moved`: records the rollups and the row count already
   * hold, with their interned dimensions (an upgrade moving version 2's rows).
   */
  append (columns: RecordColumns, moved?: { dims: Int32Array }): number {
    const { count, numbers } = columns
    const dims = moved?.dims ?? this.internAll(columns)
    const counting = moved === undefined
    const batch = new RollupBatch<number>(0)
    let seq = this.nextSeq.get() as number
    let stored = 0
    for (const indexes of byMinute(numbers, count)) {
      for (let from = 0; from < indexes.length; from += SLOTS_PER_BLOCK, seq++) {
        const chunk = indexes.slice(from, from + SLOTS_PER_BLOCK)
        const kept = this.storeIds(columns, chunk, seq * SLOTS_PER_BLOCK)
        if (kept.length === 0) continue
        if (counting) {
          for (const index of kept) {
            batch.add(numbers[index * FIELD_COUNT + F.requestInTs] as number, durationAt(numbers, index), numbers[index * FIELD_COUNT + F.succeeded] === 1, dimensionsAt(dims, numbers, index))
          }
        }
        // Slots number the block's records in arrival order; most batches fill one block whole.
        const whole: Block = { count, numbers, dims, slots: arrivalOrder(count), strings: columns.strings }
        this.insertWhole(seq, kept.length === count ? whole : { ...subBlock(whole, kept), slots: arrivalOrder(kept.length) })
        stored += kept.length
      }
    }
    for (const d of batch.values()) {
      this.upsert.run(d.view, d.level, d.start, d.client, d.service, d.provider, d.status, d.outcome, d.clientMember,
        d.serviceMember, d.count, d.succeeded, d.sumMs, d.maxMs, encodeCounts(d.buckets))
    }
    if (stored > 0 && counting) this.addRows.run(stored)
    return stored
  }

  /**
   * Deletes up to `limit` of the oldest records (by requestInTs, then arrival) from the oldest minute;
   * returns how many. Only the blocks that can hold them are read: the `limit` oldest lie at or before
   * the latest time in the fewest earliest-starting blocks that hold `limit` records.
   */
  trimOldest (limit: number): number {
    const minute = this.oldestMinute.get() as number | undefined
    if (minute === undefined) return 0
    const metas = (this.blocksOfMinute.all(minute) as BlockMeta[]).sort((a, b) => a.min_ts - b.min_ts)
    let held = 0
    let cutoff = -Infinity
    for (const meta of metas) {
      if (held >= limit) break
      held += meta.count
      cutoff = Math.max(cutoff, meta.max_ts)
    }
    const candidates = metas.filter((meta) => meta.min_ts <= cutoff).map((meta) => ({ meta, block: decodeBlock(this.blockData.get(meta.seq) as Buffer) }))
    const entries: Array<{ ts: number, tie: number, owner: number, index: number }> = []
    candidates.forEach(({ meta, block }, owner) => {
      for (let index = 0; index < block.count; index++) {
        entries.push({ ts: fieldOf(block, index, 'requestInTs'), tie: meta.seq * SLOTS_PER_BLOCK + (block.slots[index] as number), owner, index })
      }
    })
    entries.sort((a, b) => a.ts - b.ts || a.tie - b.tie)
    const removed = entries.slice(0, limit)
    const gone = candidates.map(() => new Set<number>())
    for (const entry of removed) {
      gone[entry.owner]?.add(entry.index)
      this.deleteId.run(idOf(candidates[entry.owner]?.block as Block, entry.index))
    }
    candidates.forEach(({ meta, block }, owner) => {
      const drop = gone[owner] as Set<number>
      if (drop.size === 0) return
      if (drop.size === block.count) return this.deleteBlock.run(meta.seq)
      const keep = Array.from({ length: block.count }, (_, index) => index).filter((index) => !drop.has(index))
      const rest = subBlock(block, keep)
      const { min, max } = timeRange(rest)
      this.updateBlock.run(rest.count, min, max, encodeBlock(rest), meta.seq)
    })
    this.addRows.run(-removed.length)
    return removed.length
  }

  /**
   * Enters the chunk's ids in the id index with ties from `base` in arrival order, and returns the
   * indexes of the records whose ids were new. Already stored (a replay, or the same id twice in one
   * batch): neither a record nor a count. Nearly every chunk is all new and takes one statement; for
   * one that is not, its entries are taken out again (only the chunk's own ties are at `base` or
   * above) and entered one by one.
   */
  private storeIds ({ numbers, strings }: RecordColumns, chunk: number[], base: number): number[] {
    const ids = chunk.map((index) => strings[numbers[index * FIELD_COUNT + F.id] as number] as string)
    const idsJson = JSON.stringify(ids)
    if (this.insertIds.run(base, idsJson).changes === chunk.length) return chunk
    this.unInsertIds.run(idsJson, base, base + chunk.length - 1)
    const kept: number[] = []
    chunk.forEach((index, k) => {
      if (this.insertId.run(ids[k] as string, base + kept.length).changes > 0) kept.push(index)
    })
    return kept
  }

  private insertWhole (seq: number, block: Block): void {
    const { min, max } = timeRange(block)
    this.insertBlock.run(seq, min - (min % MINUTE_MS), block.count, min, max, encodeBlock(block))
  }

  /** Each record's interned dimensions; a record with the same names as the one before reuses its ids. */
  private internAll ({ count, numbers, strings }: RecordColumns): Int32Array {
    const dims = new Int32Array(count * DIMENSION_COUNT)
    const text = (field: number, at: number): string | null => {
      const value = numbers[at + field] as number
      return Number.isNaN(value) ? null : strings[value] as string
    }
    const names = this.names
    for (let index = 0, at = 0; index < count; index++, at += FIELD_COUNT) {
      if (index > 0 && sameNames(numbers, at - FIELD_COUNT, at)) {
        dims.copyWithin(index * DIMENSION_COUNT, (index - 1) * DIMENSION_COUNT, index * DIMENSION_COUNT)
        continue
      }
      const client = [text(F.clientInstance, at), text(F.clientMemberClass, at), text(F.clientMemberCode, at), text(F.clientSubsystemCode, at)]
      const service = [text(F.serviceInstance, at), text(F.serviceMemberClass, at), text(F.serviceMemberCode, at), text(F.serviceSubsystemCode, at), text(F.serviceCode, at)]
      dims.set([
        names.internTuple(NAME.client, client, joinKnown),
        names.internTuple(NAME.service, service, joinKnown),
        names.internTuple(NAME.member, client.slice(0, 3), memberOf),
        names.internTuple(NAME.member, service.slice(0, 3), memberOf),
        names.internTuple(NAME.provider, [text(F.providerNodeId, at)], (parts) => parts[0] ?? ''),
        names.internTuple(NAME.outcome, [text(F.outcome, at)], (parts) => parts[0] as string),
      ], index * DIMENSION_COUNT)
    }
    return dims
  }
}

/** Record indexes grouped by the minute of their requestInTs, each group in arrival order. */
function byMinute (numbers: Float64Array, count: number): number[][] {
  const groups = new Map<number, number[]>()
  let last: number[] | undefined
  let lastMinute = Number.NaN
  for (let index = 0; index < count; index++) {
    const ts = numbers[index * FIELD_COUNT + F.requestInTs] as number
    const minute = ts - (ts % MINUTE_MS)
    if (minute !== lastMinute) {
      last = groups.get(minute)
      if (last === undefined) groups.set(minute, last = [])
      lastMinute = minute
    }
    (last as number[]).push(index)
  }
  return [...groups.values()]
}

function arrivalOrder (count: number): Uint16Array {
  const slots = new Uint16Array(count)
  for (let slot = 0; slot < count; slot++) slots[slot] = slot
  return slots
}

function sameNames (numbers: Float64Array, before: number, at: number): boolean {
  for (const field of DIMENSION_FIELDS) {
    const a = numbers[before + field] as number
    const b = numbers[at + field] as number
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false
  }
  return true
}

function durationAt (numbers: Float64Array, index: number): number {
  const at = index * FIELD_COUNT
  return Math.max(0, (numbers[at + F.responseOutTs] as number) - (numbers[at + F.requestInTs] as number))
}

function dimensionsAt (dims: Int32Array, numbers: Float64Array, index: number): RollupDimensions<number> {
  const at = index * DIMENSION_COUNT
  return {
    client: dims[at] as number,
    service: dims[at + 1] as number,
    clientMember: dims[at + 2] as number,
    serviceMember: dims[at + 3] as number,
    provider: dims[at + 4] as number,
    outcome: dims[at + 5] as number,
    status: numbers[index * FIELD_COUNT + F.statusCode] as number,
  }
}
