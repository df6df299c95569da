// Folds rollup rows into a stats answer: one group per interval bucket and grouped dimensions, with
// merged histograms turned into percentiles. Shared by every backend; they only feed it rows.
import type { Outcome, StatsDimension, StatsResult } from '../../contracts/transaction.js'
import { addEncoded, BUCKET_COUNT, emptyCounts, summarizeAndClear } from './histogram.js'
import { LEVEL_MS } from './rollup.js'
import { MAX_STATS_ROWS, tooManyStatsRows, type ResolvedStatsQuery } from './store.js'

type Value = string | number

/**
 * start, count, succeeded, sum_ms, max_ms, histogram, then the grouped dimensions in `dimensions`
 * order: one rollup row, or several a backend already summed (histograms concatenated).
 */
export type RollupRow = [number, number, number, number, number, string, ...Value[]]

interface Group {
  start: number
  /** The first row of the group, which carries its dimension values from index 6 on. */
  row: RollupRow
  count: number
  succeeded: number
  sumMs: number
  maxMs: number
  /** Encoded histograms; decoded together when the answer is built. */
  histograms: string[]
  /** Its place among groups of the same start, from the names of its values. */
  rank: number
}

/** How a backend turns the values it fed in back into names (identity when it fed names). */
export type Label = (dimension: StatsDimension, value: Value) => Value

const ORDER: readonly StatsDimension[] = ['client', 'service', 'provider', 'status', 'outcome']
type Row = StatsResult['rows'][number]

export class StatsBuilder {
  /** The groupBy dimensions in a fixed order, which is also the order of the values in a row. */
  readonly dimensions: readonly StatsDimension[]
  private readonly groups: Group[] = []
  private readonly byKey = new Map<string | number, Group>()
  private readonly bucketMs: number | undefined

  /**
   * `grouped`: every row fed will be a whole answer row (the backend grouped them, and no interval
   * bucket spans two calls of addRows), so rows need no merging: the big answers skip a map.
   */
  constructor (private readonly query: ResolvedStatsQuery, private readonly grouped = false) {
    this.dimensions = ORDER.filter((d) => query.groupBy.includes(d))
    this.bucketMs = query.interval === 'total' ? undefined : LEVEL_MS[query.interval === 'minute' ? 0 : query.interval === 'hour' ? 1 : 2]
  }

  addRows (rows: readonly RollupRow[]): void {
    const width = this.dimensions.length
    for (const row of rows) {
      const start = this.bucketMs === undefined ? this.query.from : row[0] - (row[0] % this.bucketMs)
      const [, count, succeeded, sumMs, maxMs, histogram] = row
      let group: Group | undefined
      if (!this.grouped) {
        // A number key when nothing is grouped; otherwise the values joined, in this hot loop by hand.
        let key: string | number = start
        if (width > 0) {
          key = `${start}|${row[6]}`
          for (let i = 7; i < 6 + width; i++) key += `|${row[i]}`
        }
        group = this.byKey.get(key)
        if (group === undefined) this.byKey.set(key, group = this.newGroup(start, row))
      } else {
        group = this.newGroup(start, row)
      }
      group.count += count
      group.succeeded += succeeded
      group.sumMs += sumMs
      if (maxMs > group.maxMs) group.maxMs = maxMs
      group.histograms.push(histogram)
    }
  }

  build (label: Label = (_d, value) => value): StatsResult {
    const scratch = emptyCounts()
    const span: [number, number] = [BUCKET_COUNT, -1]
    const totals = { count: 0, succeeded: 0, failed: 0 }
    this.sortGroups(label)
    const names = this.dimensions.map(() => new Map<Value, Value>())
    const rows = this.groups.map((group) => {
      for (const histogram of group.histograms) addEncoded(scratch, histogram, span)
      const row: Row = { start: group.start, count: group.count, succeeded: group.succeeded, failed: group.count - group.succeeded, latencyMs: summarizeAndClear(scratch, span, group.count, group.sumMs, group.maxMs) }
      for (let index = 0; index < this.dimensions.length; index++) {
        const dimension = this.dimensions[index] as StatsDimension
        const value = group.row[6 + index] as Value
        const cache = names[index] as Map<Value, Value>
        let name = cache.get(value)
        if (name === undefined) cache.set(value, name = label(dimension, value))
        if (dimension === 'status') row.status = Number(name)
        else if (dimension === 'outcome') row.outcome = String(name) as Outcome
        else row[dimension] = String(name)
      }
      totals.count += row.count
      totals.succeeded += row.succeeded
      totals.failed += row.failed
      return row
    })
    return { from: this.query.from, to: this.query.to, interval: this.query.interval, groupBy: [...this.dimensions], totals, rows }
  }

  private newGroup (start: number, row: RollupRow): Group {
    if (this.groups.length >= MAX_STATS_ROWS) throw tooManyStatsRows()
    const group: Group = { start, row, count: 0, succeeded: 0, sumMs: 0, maxMs: 0, histograms: [], rank: 0 }
    this.groups.push(group)
    return group
  }

  /** By start, then by the names of the grouped values, compared as one number per group. */
  private sortGroups (label: Label): void {
    const ranks = this.dimensions.map((dimension, index) => {
      const values = new Set<Value>()
      for (const group of this.groups) values.add(group.row[6 + index] as Value)
      const labelled = [...values].map((value) => ({ value, name: label(dimension, value) }))
      labelled.sort((a, b) => typeof a.name === 'number' && typeof b.name === 'number' ? a.name - b.name : String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0)
      return new Map(labelled.map(({ value }, rank) => [value, rank]))
    })
    // Mixed radix: at most 200,000 groups, so the ranks of up to five dimensions fit a double only
    // when their product stays below 2^53; otherwise compare rank by rank.
    const radix = ranks.map((r) => r.size)
    const exact = radix.reduce((a, b) => a * b, 1) < 2 ** 53
    for (const group of this.groups) {
      group.rank = 0
      for (let i = 0; i < ranks.length; i++) group.rank = group.rank * (radix[i] as number) + ((ranks[i] as Map<Value, number>).get(group.row[6 + i] as Value) as number)
    }
    const byRanks = (a: Group, b: Group): number => {
      for (let i = 0; i < ranks.length; i++) {
        const d = ((ranks[i] as Map<Value, number>).get(a.row[6 + i] as Value) as number) - ((ranks[i] as Map<Value, number>).get(b.row[6 + i] as Value) as number)
        if (d !== 0) return d
      }
      return 0
    }
    this.groups.sort((a, b) => a.start - b.start || (exact ? a.rank - b.rank : byRanks(a, b)))
  }
}
