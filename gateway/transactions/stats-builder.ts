// Folds rollup rows into a stats answer: one group per interval bucket and grouped dimensions, with
// merged histograms turned into percentiles. Shared by every backend; they only feed it rows.
import type { Outcome, StatsDimension, StatsResult } from '../../contracts/transaction.js'
import { addCount, addEncoded, BUCKET_COUNT, bucketOf, emptyCounts, encodeOne, summarizeAndClear } from './histogram.js'
import { LEVEL_MS } from './rollup.js'
import { MAX_STATS_ROWS, tooManyStatsRows, type ResolvedStatsQuery } from './store.js'

type Value = string | number

/** start, count, succeeded, sum_ms, max_ms, histogram, then the grouped dimensions in `dimensions` order. */
export type RollupRow = [number, number, number, number, number, string | null, ...Value[]]

interface Group {
  start: number
  /** The first row of the group, which carries its dimension values from index 6 on. */
  row: RollupRow
  count: number
  succeeded: number
  sumMs: number
  maxMs: number
  /** Encoded histograms, and the bucket of each single-exchange row (which stores none). */
  histograms: Array<string | number>
}

/** How a backend turns the values it fed in back into names (identity when it fed names). */
export type Label = (dimension: StatsDimension, value: Value) => Value

const ORDER: readonly StatsDimension[] = ['client', 'service', 'provider', 'status', 'outcome']
type Row = StatsResult['rows'][number]

export class StatsBuilder {
  /** The groupBy dimensions in a fixed order, which is also the order of the values in a row. */
  readonly dimensions: readonly StatsDimension[]
  private readonly groups = new Map<string | number, Group>()
  private readonly bucketMs: number | undefined

  constructor (private readonly query: ResolvedStatsQuery) {
    this.dimensions = ORDER.filter((d) => query.groupBy.includes(d))
    this.bucketMs = query.interval === 'total' ? undefined : LEVEL_MS[query.interval === 'minute' ? 0 : query.interval === 'hour' ? 1 : 2]
  }

  addRows (rows: readonly RollupRow[]): void {
    const width = this.dimensions.length
    for (const row of rows) {
      const start = this.bucketMs === undefined ? this.query.from : row[0] - (row[0] % this.bucketMs)
      // A number key when nothing is grouped; otherwise the values joined, in this hot loop by hand.
      let key: string | number = start
      if (width > 0) {
        key = `${start}|${row[6]}`
        for (let i = 7; i < 6 + width; i++) key += `|${row[i]}`
      }
      let group = this.groups.get(key)
      if (group === undefined) {
        if (this.groups.size >= MAX_STATS_ROWS) throw tooManyStatsRows()
        group = { start, row, count: 0, succeeded: 0, sumMs: 0, maxMs: 0, histograms: [] }
        this.groups.set(key, group)
      }
      const [, count, succeeded, sumMs, maxMs, histogram] = row
      group.count += count
      group.succeeded += succeeded
      group.sumMs += sumMs
      if (maxMs > group.maxMs) group.maxMs = maxMs
      // A row without a histogram holds one exchange; should one ever hold more, they count at its max.
      group.histograms.push(histogram ?? (count === 1 ? bucketOf(maxMs) : encodeOne(bucketOf(maxMs), count)))
    }
  }

  build (label: Label = (_d, value) => value): StatsResult {
    const scratch = emptyCounts()
    const span: [number, number] = [BUCKET_COUNT, -1]
    const totals = { count: 0, succeeded: 0, failed: 0 }
    const ranks = this.rankValues(label)
    const sorted = [...this.groups.values()].map((group) => ({ group, ranks: this.dimensions.map((_d, i) => ranks[i]?.get(group.row[6 + i] as Value) ?? 0) }))
    sorted.sort((a, b) => a.group.start - b.group.start || compareRanks(a.ranks, b.ranks))
    const rows = sorted.map(({ group }) => {
      for (const part of group.histograms) {
        if (typeof part === 'number') addCount(scratch, part, 1, span)
        else addEncoded(scratch, part, span)
      }
      const row: Row = { start: group.start, count: group.count, succeeded: group.succeeded, failed: group.count - group.succeeded, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 } }
      this.dimensions.forEach((dimension, index) => {
        const value = label(dimension, group.row[6 + index] as Value)
        if (dimension === 'status') row.status = Number(value)
        else if (dimension === 'outcome') row.outcome = String(value) as Outcome
        else row[dimension] = String(value)
      })
      row.latencyMs = summarizeAndClear(scratch, span, group.count, group.sumMs, group.maxMs)
      totals.count += row.count
      totals.succeeded += row.succeeded
      totals.failed += row.failed
      return row
    })
    return { from: this.query.from, to: this.query.to, interval: this.query.interval, groupBy: [...this.dimensions], totals, rows }
  }

  /** Per grouped dimension, each value's rank among the labels, so that sorting compares numbers. */
  private rankValues (label: Label): Array<Map<Value, number>> {
    return this.dimensions.map((dimension, index) => {
      const values = new Set<Value>()
      for (const group of this.groups.values()) values.add(group.row[6 + index] as Value)
      const labelled = [...values].map((value) => ({ value, name: label(dimension, value) }))
      labelled.sort((a, b) => typeof a.name === 'number' && typeof b.name === 'number' ? a.name - b.name : String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0)
      return new Map(labelled.map(({ value }, rank) => [value, rank]))
    })
  }
}

function compareRanks (a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return 0
}
