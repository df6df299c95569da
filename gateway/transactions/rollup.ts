// Rollups at three resolutions (minute, hour, day) and how a time range is covered by them.
// A 30-day total then reads 30 day rows per key instead of 43,200 minute rows; finer rows fill the edges.
import { bucketOf } from './histogram.js'
import { DAY_MS, HOUR_MS, MINUTE_MS } from './store.js'

export const LEVEL_MS = [MINUTE_MS, HOUR_MS, DAY_MS] as const
export type Level = 0 | 1 | 2
export type Interval = 'minute' | 'hour' | 'day' | 'total'

/** The coarsest rollup whose rows still fall inside one interval bucket. */
export const COARSEST_LEVEL: Record<Interval, Level> = { minute: 0, hour: 1, day: 2, total: 2 }

export interface Segment { level: Level, from: number, to: number }

/** Covers the minute-aligned [from, to) with the coarsest rows allowed and finer ones only at the edges. */
export function segmentsFor (from: number, to: number, coarsest: Level): Segment[] {
  const segments: Segment[] = []
  const cover = (a: number, b: number, level: Level): void => {
    if (a >= b) return
    if (level === 0) {
      segments.push({ level, from: a, to: b })
      return
    }
    const unit = LEVEL_MS[level]
    const whole = { from: Math.ceil(a / unit) * unit, to: Math.floor(b / unit) * unit }
    const finer = (level - 1) as Level
    if (whole.from >= whole.to) return cover(a, b, finer)
    cover(a, whole.from, finer)
    segments.push({ level, ...whole })
    cover(whole.to, b, finer)
  }
  cover(from, to, coarsest)
  return segments
}

/** The dimensions of a rollup key as a backend represents them (names, or ids it interned). */
export interface RollupDimensions<D> {
  client: D
  service: D
  provider: D
  status: number
  outcome: D
  /** Follow from client and service; kept beside them so that member filters need no parsing. */
  clientMember: D
  serviceMember: D
}

/**
 * Every exchange is counted twice: by client (view 0, every dimension) and across clients (view 1,
 * client and client member set to the backend's "all" value). Clients are the dimension with the most
 * values, so a query that neither groups nor filters by client or member reads the small view 1.
 */
export type View = 0 | 1
export const BY_CLIENT: View = 0
export const ACROSS_CLIENTS: View = 1

export function viewFor (query: { groupBy: readonly string[], client?: string | undefined, member?: string | undefined }): View {
  return query.groupBy.includes('client') || query.client !== undefined || query.member !== undefined ? BY_CLIENT : ACROSS_CLIENTS
}

export interface RollupDelta<D> extends RollupDimensions<D> {
  view: View
  level: Level
  start: number
  count: number
  succeeded: number
  sumMs: number
  maxMs: number
  /** Exchanges of this batch per histogram bucket (encodeCounts writes it as a rollup's histogram). */
  buckets: Map<number, number>
}

/**
 * What one append adds to the rollups, folded per key so that each key is written once per batch.
 * It runs once per record on the writer's thread, so it is kept lean: a record of the same minute and
 * key as the one before (most of a batch, under load) reuses its delta without building a key string.
 */
export class RollupBatch<D extends string | number> {
  /** Per minute and key; views and levels are folded from these in values(). */
  private readonly minutes = new Map<string, RollupDelta<D>>()
  private last: RollupDelta<D> | undefined

  /** `all` is the value standing for every client in view 1; it must never be a real client's. */
  constructor (private readonly all: D) {}

  /** One exchange: when it arrived, how long the client waited (durationMs), whether it succeeded. */
  add (requestInTs: number, ms: number, succeeded: boolean, dimensions: RollupDimensions<D>): void {
    const { client, service, provider, status, outcome } = dimensions
    const start = requestInTs - (requestInTs % MINUTE_MS)
    let delta = this.last
    if (delta === undefined || delta.start !== start || delta.client !== client || delta.service !== service ||
      delta.provider !== provider || delta.status !== status || delta.outcome !== outcome) {
      const key = `${start}|${client}|${service}|${provider}|${status}|${outcome}`
      delta = this.minutes.get(key)
      if (delta === undefined) {
        delta = { ...dimensions, view: BY_CLIENT, level: 0, start, count: 0, succeeded: 0, sumMs: 0, maxMs: 0, buckets: new Map() }
        this.minutes.set(key, delta)
      }
      this.last = delta
    }
    delta.count++
    if (succeeded) delta.succeeded++
    delta.sumMs += ms
    if (ms > delta.maxMs) delta.maxMs = ms
    const bucket = bucketOf(ms)
    delta.buckets.set(bucket, (delta.buckets.get(bucket) ?? 0) + 1)
  }

  /** Every exchange counted by client (view 0) and across clients (view 1), at each level. */
  values (): IterableIterator<RollupDelta<D>> {
    const folded = new Map<string, RollupDelta<D>>()
    for (const minute of this.minutes.values()) {
      for (const view of [BY_CLIENT, ACROSS_CLIENTS]) {
        const who = view === BY_CLIENT ? minute.client : this.all
        for (let level: Level = 0; level <= 2; level++) {
          const start = minute.start - (minute.start % LEVEL_MS[level as Level])
          const key = `${view}${level}|${start}|${who}|${minute.service}|${minute.provider}|${minute.status}|${minute.outcome}`
          const delta = folded.get(key)
          if (delta === undefined) {
            folded.set(key, {
              ...minute, view, level: level as Level, start, client: who,
              clientMember: view === BY_CLIENT ? minute.clientMember : this.all, buckets: new Map(minute.buckets),
            })
            continue
          }
          delta.count += minute.count
          delta.succeeded += minute.succeeded
          delta.sumMs += minute.sumMs
          if (minute.maxMs > delta.maxMs) delta.maxMs = minute.maxMs
          for (const [bucket, count] of minute.buckets) delta.buckets.set(bucket, (delta.buckets.get(bucket) ?? 0) + count)
        }
      }
    }
    return folded.values()
  }
}
