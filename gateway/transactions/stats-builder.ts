// Folds rollup rows into a stats answer: one group per interval bucket and grouped dimensions, with
// merged histograms turned into percentiles. Shared by every backend; they only feed it rows.
import type { Outcome, StatsDimension, StatsResult } from '../../contracts/transaction.js'
import { addEncoded, BUCKET_COUNT, emptyCounts, summarizeAndClear } from './histogram.js'
import { LEVEL_MS } from './rollup.js'
import { MAX_STATS_ROWS, tooManyStatsRows, type ResolvedStatsQuery } from './store.js'

type Value = string | number

interface Group {
  start: number
  values: Value[]
  count: number
  succeeded: number
  sumMs: number
  maxMs: number
  histograms: Uint8Array[]
}

/** How a backend turns the opaque values it fed in back into names (identity when it fed names). */
export type Label = (dimension: StatsDimension, value: Value) => Value

const ORDER: readonly StatsDimension[] = ['client', 'service', 'provider', 'status', 'outcome']

export class StatsBuilder {
  /** The groupBy dimensions in a fixed order, which is also the order of the values `add` takes. */
  readonly dimensions: readonly StatsDimension[]
  private readonly groups = new Map<string, Group>()
  private readonly bucketMs: number | undefined

  constructor (private readonly query: ResolvedStatsQuery) {
    this.dimensions = ORDER.filter((d) => query.groupBy.includes(d))
    this.bucketMs = query.interval === 'total' ? undefined : LEVEL_MS[query.interval === 'minute' ? 0 : query.interval === 'hour' ? 1 : 2]
  }

  /** `values` follow `dimensions`; `histogram` is the encoded histogram of the row. */
  add (start: number, values: Value[], count: number, succeeded: number, sumMs: number, maxMs: number, histogram: Uint8Array | null): void {
    const bucket = this.bucketMs === undefined ? this.query.from : Math.floor(start / this.bucketMs) * this.bucketMs
    let key = String(bucket)
    for (const value of values) key += `|${value}`
    let group = this.groups.get(key)
    if (group === undefined) {
      if (this.groups.size >= MAX_STATS_ROWS) throw tooManyStatsRows()
      group = { start: bucket, values, count: 0, succeeded: 0, sumMs: 0, maxMs: 0, histograms: [] }
      this.groups.set(key, group)
    }
    group.count += count
    group.succeeded += succeeded
    group.sumMs += sumMs
    if (maxMs > group.maxMs) group.maxMs = maxMs
    if (histogram !== null) group.histograms.push(histogram)
  }

  build (label: Label = (_d, value) => value): StatsResult {
    const scratch = emptyCounts()
    const span: [number, number] = [BUCKET_COUNT, -1]
    const totals = { count: 0, succeeded: 0, failed: 0 }
    const rows: Array<StatsResult['rows'][number] & { sortKey: Value[] }> = []
    for (const group of this.groups.values()) {
      for (const histogram of group.histograms) addEncoded(scratch, histogram, span)
      const row: StatsResult['rows'][number] & { sortKey: Value[] } = {
        start: group.start,
        count: group.count,
        succeeded: group.succeeded,
        failed: group.count - group.succeeded,
        latencyMs: summarizeAndClear(scratch, span, group.count, group.sumMs, group.maxMs),
        sortKey: [],
      }
      this.dimensions.forEach((dimension, index) => {
        const value = label(dimension, group.values[index] as Value)
        row.sortKey.push(value)
        if (dimension === 'status') row.status = Number(value)
        else if (dimension === 'outcome') row.outcome = String(value) as Outcome
        else row[dimension] = String(value)
      })
      totals.count += row.count
      totals.succeeded += row.succeeded
      totals.failed += row.failed
      rows.push(row)
    }
    rows.sort(compareRows)
    return {
      from: this.query.from,
      to: this.query.to,
      interval: this.query.interval,
      groupBy: [...this.dimensions],
      totals,
      rows: rows.map(({ sortKey: _sortKey, ...row }) => row),
    }
  }
}

function compareRows (a: { start: number, sortKey: Value[] }, b: { start: number, sortKey: Value[] }): number {
  if (a.start !== b.start) return a.start - b.start
  for (let i = 0; i < a.sortKey.length; i++) {
    const x = a.sortKey[i] as Value
    const y = b.sortKey[i] as Value
    if (x === y) continue
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1
  }
  return 0
}
