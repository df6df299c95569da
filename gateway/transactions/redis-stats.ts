// The Redis log's stats: rollup rows read by one script per ≤ N rows, filtered and folded here by the
// shared StatsBuilder. Where retention deleted minute (or hour) rows, the range widens to the hour (or
// day) rows that remain, and the answer's from/to say so.
import type { StatsResult, StatsDimension } from '../../contracts/transaction.js'
import { COARSEST_LEVEL, LEVEL_MS, segmentsFor, viewFor, type Level } from './rollup.js'
import type { Tuple } from './redis-layout.js'
import { StatsBuilder, type RollupRow } from './stats-builder.js'
import type { ResolvedStatsQuery } from './store.js'

/**
 * KEYS: meta. ARGV: key base, view, rows per read, number of segments, then per segment its level,
 * from (a ZRANGEBYSCORE minimum: `(x` is exclusive) and exclusive to. Returns the newest minute and
 * hour starts retention deleted ('' if none), where to resume ('' '' when done: segment, minimum),
 * then per rollup row read: start and HGETALL (tuple id, value, …).
 */
export const STATS_LUA = `
local base, view, budget, nseg = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out = { redis.call('HGET', KEYS[1], 'pruned:' .. view .. ':0') or '', redis.call('HGET', KEYS[1], 'pruned:' .. view .. ':1') or '', '', '' }
local read = 0
for s = 1, nseg do
  local p = 4 + (s - 1) * 3
  local scope = view .. ':' .. ARGV[p + 1]
  local starts = redis.call('ZRANGEBYSCORE', base .. 'starts:' .. scope, ARGV[p + 2], '(' .. ARGV[p + 3], 'LIMIT', 0, budget + 1)
  for _, start in ipairs(starts) do
    local key = base .. 'rollup:' .. scope .. ':' .. start
    local n = redis.call('HLEN', key)
    if read > 0 and read + n > budget then
      out[3], out[4] = tostring(s), start
      return out
    end
    out[#out + 1] = start
    out[#out + 1] = redis.call('HGETALL', key)
    read = read + n
  end
  if #starts > budget then
    out[3], out[4] = tostring(s), '(' .. starts[#starts]
    return out
  end
end
return out
`

export type Horizons = readonly [minute: number, hour: number]
/** Nothing deleted: every row ever written is there. */
export const COMPLETE: Horizons = [0, 0]

/** The first start from which rows of each level are complete, from the newest start deleted. */
export function horizonsOf (prunedMinute: string, prunedHour: string): Horizons {
  return [prunedMinute === '' ? 0 : Number(prunedMinute) + LEVEL_MS[0], prunedHour === '' ? 0 : Number(prunedHour) + LEVEL_MS[1]]
}

/**
 * Widens [from, to) to whole hours where minute rows its edges need are gone, and to whole days where
 * hour rows are, as far as the interval allows (a minute-by-minute answer cannot use hour rows).
 */
export function retainedRange (query: ResolvedStatsQuery, horizons: Horizons): { from: number, to: number } {
  let { from, to } = query
  if (from === to) return { from, to }
  const coarsest = COARSEST_LEVEL[query.interval]
  for (let level = 0; level < coarsest && level < 2; level++) {
    const horizon = horizons[level as 0 | 1]
    const unit = LEVEL_MS[(level + 1) as Level]
    if (from < horizon) from -= from % unit
    if (to - (to % unit) < horizon && to % unit !== 0) to += unit - (to % unit)
  }
  return { from, to }
}

/** Reads one batch of rollup rows; the store supplies the Redis call. */
export type ReadRollups = (args: string[]) => Promise<unknown[]>

export interface StatsReadOptions {
  base: string
  metaKey: string
  rowsPerRead: number
  horizons: Horizons
  read: ReadRollups
  /** Tuples by id, fetched for the ids not known yet. */
  tuples: (ids: string[]) => Promise<Map<string, Tuple>>
}

/**
 * The answer, and the horizons seen (for the caller's next query). A read that finds retention moved
 * since the horizons the caller assumed starts over with the new ones.
 */
export async function readStats (query: ResolvedStatsQuery, options: StatsReadOptions): Promise<{ result: StatsResult, horizons: Horizons }> {
  const view = viewFor(query)
  let horizons = options.horizons
  for (let attempt = 0; ; attempt++) {
    const range = retainedRange(query, horizons)
    const widened = { ...query, ...range }
    const builder = new StatsBuilder(widened)
    const feed = new RowFeed(builder, query, options)
    const segments = segmentsFor(range.from, range.to, COARSEST_LEVEL[query.interval])
    let next: { segment: number, min: string } | undefined = { segment: 0, min: '' }
    let restarted = false
    while (next !== undefined && segments.length > 0) {
      const todo = segments.slice(next.segment).flatMap((s, i) => [String(s.level), i === 0 && next?.min !== '' ? next?.min as string : String(s.from), String(s.to)])
      const reply = await options.read([options.metaKey, options.base, String(view), String(options.rowsPerRead), String(todo.length / 3), ...todo])
      const [prunedMinute, prunedHour, resumeSegment, resumeMin, ...rows] = reply as [string, string, string, string, ...unknown[]]
      const seen = horizonsOf(prunedMinute, prunedHour)
      if (attempt < 2 && !sameRange(retainedRange(query, seen), range)) {
        horizons = seen
        restarted = true
        break
      }
      horizons = seen
      await feed.add(rows)
      next = resumeSegment === '' ? undefined : { segment: next.segment + Number(resumeSegment) - 1, min: resumeMin }
    }
    if (!restarted) return { result: feed.build(), horizons }
  }
}

const sameRange = (a: { from: number, to: number }, b: { from: number, to: number }): boolean => a.from === b.from && a.to === b.to

type Value = string | number

/** Turns replies into rollup rows for the builder: filtered by tuple, dimension names interned to numbers. */
class RowFeed {
  private readonly names = new Map<StatsDimension, { ids: Map<string, number>, values: string[] }>()
  private readonly known = new Map<string, Tuple>()

  constructor (private readonly builder: StatsBuilder, private readonly query: ResolvedStatsQuery, private readonly options: StatsReadOptions) {
    for (const dimension of builder.dimensions) this.names.set(dimension, { ids: new Map(), values: [] })
  }

  async add (reply: unknown[]): Promise<void> {
    const missing = new Set<string>()
    for (let i = 1; i < reply.length; i += 2) {
      const fields = reply[i] as string[]
      for (let j = 0; j < fields.length; j += 2) if (!this.known.has(fields[j] as string)) missing.add(fields[j] as string)
    }
    if (missing.size > 0) for (const [id, tuple] of await this.options.tuples([...missing])) this.known.set(id, tuple)
    const { client, service, member } = this.query
    const rows: RollupRow[] = []
    for (let i = 0; i < reply.length; i += 2) {
      const start = Number(reply[i])
      const fields = reply[i + 1] as string[]
      for (let j = 0; j < fields.length; j += 2) {
        const tuple = this.known.get(fields[j] as string)
        if (tuple === undefined) continue
        if (client !== undefined && tuple.client !== client) continue
        if (service !== undefined && tuple.service !== service) continue
        if (member !== undefined && tuple.clientMember !== member && tuple.serviceMember !== member) continue
        const [count, succeeded, sumMs, maxMs, , histogram] = (fields[j + 1] as string).split(',')
        const row: RollupRow = [start, Number(count), Number(succeeded), Number(sumMs), Number(maxMs), histogram ?? '']
        for (const dimension of this.builder.dimensions) row.push(dimension === 'status' ? tuple.status : this.intern(dimension, tuple[dimension] ?? ''))
        rows.push(row)
      }
    }
    this.builder.addRows(rows)
  }

  build (): StatsResult {
    return this.builder.build((dimension, value) => dimension === 'status' ? value : this.names.get(dimension)?.values[value as number] as Value)
  }

  /** Numbers rather than names: the builder joins values into keys, and names may hold its separator. */
  private intern (dimension: StatsDimension, name: string): number {
    const table = this.names.get(dimension) as { ids: Map<string, number>, values: string[] }
    let id = table.ids.get(name)
    if (id === undefined) {
      table.ids.set(name, id = table.values.length)
      table.values.push(name)
    }
    return id
  }
}
