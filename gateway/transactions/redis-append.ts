// The Node side of a Redis append: what needs no Redis state (JSON, dimensions, the rollup rows the
// batch adds, their histograms) is done here, once, so that the script (redis-append-script.ts) only
// checks ids, stores, and folds rows into the stored ones.
import { durationMs, type TransactionRecord } from '../../contracts/transaction.js'
import { bucketOf, encodeOne } from './histogram.js'
import { LEVEL_MS } from './rollup.js'
import { RECORD_KEYS, tupleAcrossClients, tupleByClient, type TransactionKeys } from './redis-layout.js'
import { dimensionsOf } from './store.js'

export interface AppendSettings {
  maxTransactions: number
  minuteRetentionMs: number
  hourRetentionMs: number
}

interface Aggregate {
  count: number
  succeeded: number
  sumMs: number
  maxMs: number
  /** Exchanges per histogram bucket. */
  buckets: Map<number, number>
}

/** The records of one tuple and minute: they feed the same six rollup rows. */
interface Rowset extends Aggregate {
  own: number
  all: number
  minute: number
}

interface RollupKey {
  view: number
  level: number
  start: number
  rows: Map<number, Aggregate>
}

/** Each id once, the first occurrence: the script then needs no duplicate check of its own. */
export function distinctById (records: readonly TransactionRecord[]): readonly TransactionRecord[] {
  const ids = new Set<string>()
  for (const record of records) ids.add(record.id)
  if (ids.size === records.length) return records
  ids.clear()
  return records.filter((record) => !ids.has(record.id) && ids.add(record.id) !== undefined)
}

/** KEYS then ARGV of APPEND_LUA (see there), for records with distinct ids. */
export function appendArguments (records: readonly TransactionRecord[], keys: TransactionKeys, settings: AppendSettings): string[] {
  const tuples = new Map<string, number>()
  const tupleIndex = (text: string): number => {
    let index = tuples.get(text)
    if (index === undefined) tuples.set(text, index = tuples.size + 1)
    return index
  }
  const rowsets = new Map<string, Rowset>()
  const recordArgs: string[] = []
  for (const record of records) {
    const d = dimensionsOf(record)
    const own = tupleIndex(tupleByClient(record, d))
    const ts = record.requestInTs
    const minute = ts - (ts % LEVEL_MS[0])
    const rowsetKey = `${own}|${minute}`
    let rowset = rowsets.get(rowsetKey)
    if (rowset === undefined) {
      rowset = { own, all: tupleIndex(tupleAcrossClients(record, d)), minute, ...empty() }
      rowsets.set(rowsetKey, rowset)
    }
    const ms = durationMs(record)
    add(rowset, ms, record.succeeded)
    recordArgs.push(record.id, String(ts), String(own), toJson(record))
  }
  const rollups = new Map<string, RollupKey>()
  for (const rowset of rowsets.values()) {
    for (const [view, tuple] of [[0, rowset.own], [1, rowset.all]] as const) {
      for (let level = 0; level <= 2; level++) {
        const start = rowset.minute - (rowset.minute % LEVEL_MS[level as 0 | 1 | 2])
        const name = `${view}:${level}:${start}`
        let rollup = rollups.get(name)
        if (rollup === undefined) rollups.set(name, rollup = { view, level, start, rows: new Map() })
        let row = rollup.rows.get(tuple)
        if (row === undefined) rollup.rows.set(tuple, row = empty())
        fold(row, rowset)
      }
    }
  }
  const rollupArgs: string[] = []
  for (const { view, level, start, rows } of rollups.values()) {
    rollupArgs.push(String(view), String(level), String(start), String(rows.size))
    for (const [tuple, row] of rows) {
      let histogram = ''
      for (const [bucket, count] of row.buckets) histogram += encodeOne(bucket, count)
      rollupArgs.push(String(tuple), String(row.count), String(row.succeeded), String(row.sumMs), String(row.maxMs), histogram)
    }
  }
  return [
    keys.log, keys.ids, keys.order, keys.meta, keys.tuples, keys.tupleIds,
    keys.base, String(settings.maxTransactions), String(settings.minuteRetentionMs), String(settings.hourRetentionMs),
    String(tuples.size), String(records.length), String(rollups.size), ...tuples.keys(), ...recordArgs, ...rollupArgs,
  ]
}

const empty = (): Aggregate => ({ count: 0, succeeded: 0, sumMs: 0, maxMs: 0, buckets: new Map() })

function add (into: Aggregate, ms: number, succeeded: boolean): void {
  into.count++
  if (succeeded) into.succeeded++
  into.sumMs += ms
  if (ms > into.maxMs) into.maxMs = ms
  const bucket = bucketOf(ms)
  into.buckets.set(bucket, (into.buckets.get(bucket) ?? 0) + 1)
}

function fold (into: Aggregate, from: Aggregate): void {
  into.count += from.count
  into.succeeded += from.succeeded
  into.sumMs += from.sumMs
  if (from.maxMs > into.maxMs) into.maxMs = from.maxMs
  for (const [bucket, count] of from.buckets) into.buckets.set(bucket, (into.buckets.get(bucket) ?? 0) + count)
}

/** Exactly the record's fields: the common object has no others, and is written as it is. */
function toJson (record: TransactionRecord): string {
  return Object.keys(record).length === RECORD_KEYS.length ? JSON.stringify(record) : JSON.stringify(record, RECORD_KEYS)
}
