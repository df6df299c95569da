// Counters and histograms for the per-exchange metrics, kept as plain numbers and rendered through
// prom-client's registry at scrape time. prom-client's own labelled children validate and hash the
// label set on every update (about 2 µs per exchange for a counter and a histogram); here an update
// is a few additions on an entry the caller already holds.
import type client from 'prom-client'

type Labels = Readonly<Record<string, string>>

/** One line of the exposition; `metricName` names a histogram's _bucket, _sum and _count lines. */
interface SampleValue {
  readonly metricName?: string
  readonly labels: Readonly<Record<string, string | number>>
  readonly value: number
}

/** What prom-client's registry reads from a metric: its name, type and current values. */
abstract class ScrapedMetric<Entry> {
  readonly aggregator = 'sum'
  protected readonly entries: Entry[] = []

  constructor (readonly name: string, readonly help: string, readonly type: 'counter' | 'histogram', registry: client.Registry) {
    // The registry asks only for name, type and get(); it keeps whatever object it is given.
    registry.registerMetric(this as unknown as client.Metric)
  }

  // The shape prom-client's registry formats (its typings name the type as an enum; at run time it is this string).
  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: SampleValue[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() }
  }

  /** Back to zero; series stay bound, as prom-client's labelled children do. */
  abstract reset (): void

  protected abstract values (): SampleValue[]
}

export interface CounterEntry {
  readonly labels: Labels
  count: number
}

export class ScrapedCounter extends ScrapedMetric<CounterEntry> {
  constructor (name: string, help: string, registry: client.Registry) {
    super(name, help, 'counter', registry)
  }

  /** A new series at 0; the caller keeps it and adds to `count`. */
  series (labels: Labels): CounterEntry {
    const entry = { labels, count: 0 }
    this.entries.push(entry)
    return entry
  }

  reset (): void {
    for (const entry of this.entries) entry.count = 0
  }

  protected values (): SampleValue[] {
    return this.entries.map((entry) => ({ labels: entry.labels, value: entry.count }))
  }
}

export interface HistogramEntry {
  readonly labels: Labels
  count: number
  sum: number
  /** Observations per bucket, not cumulative (the last one is +Inf); cumulated when scraped. */
  readonly buckets: Float64Array
}

export class ScrapedHistogram extends ScrapedMetric<HistogramEntry> {
  constructor (name: string, help: string, private readonly upperBounds: readonly number[], registry: client.Registry) {
    super(name, help, 'histogram', registry)
  }

  series (labels: Labels): HistogramEntry {
    const entry = { labels, count: 0, sum: 0, buckets: new Float64Array(this.upperBounds.length + 1) }
    this.entries.push(entry)
    return entry
  }

  observe (entry: HistogramEntry, value: number): void {
    const bounds = this.upperBounds
    let bucket = 0
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++
    entry.buckets[bucket] = (entry.buckets[bucket] as number) + 1
    entry.count++
    entry.sum += value
  }

  reset (): void {
    for (const entry of this.entries) {
      entry.count = 0
      entry.sum = 0
      entry.buckets.fill(0)
    }
  }

  protected values (): SampleValue[] {
    const values: SampleValue[] = []
    for (const entry of this.entries) {
      let cumulative = 0
      this.upperBounds.forEach((bound, i) => {
        cumulative += entry.buckets[i] as number
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...entry.labels }, value: cumulative })
      })
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...entry.labels }, value: entry.count })
      values.push({ metricName: `${this.name}_sum`, labels: entry.labels, value: entry.sum })
      values.push({ metricName: `${this.name}_count`, labels: entry.labels, value: entry.count })
    }
    return values
  }
}
