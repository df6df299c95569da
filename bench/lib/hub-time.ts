// The hub's own time per exchange as its /metrics histogram `ndxp_exchange_hub_seconds` counts it:
// from arrival to the last byte of the answer, less the wait for the provider. Read before and after a
// load phase, it says what the hub itself added, free of the load tool's and the machine's noise.
import { request } from 'undici'

/** Cumulative counts by upper bound in seconds (the last is +Inf). */
export type HubTimeSnapshot = ReadonlyArray<{ le: number, count: number }>

export async function hubTimeSnapshot (hubUrl: string, adminToken: string): Promise<HubTimeSnapshot> {
  const response = await request(`${hubUrl}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
  const text = await response.body.text()
  const buckets = [...text.matchAll(/^ndxp_exchange_hub_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)]
  return buckets.map(([, le, count]) => ({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: Number(count) }))
}

/** The upper bound (ms) of the bucket holding percentile `p` of what was counted between two snapshots. */
export function hubTimePercentile (before: HubTimeSnapshot, after: HubTimeSnapshot, p: number): number {
  const counts = after.map((bucket, i) => ({ le: bucket.le, count: bucket.count - (before[i]?.count ?? 0) }))
  const total = counts.at(-1)?.count ?? 0
  const rank = Math.ceil(total * p / 100)
  const bucket = counts.find((b) => b.count >= rank) ?? counts.at(-1)
  return (bucket?.le ?? Number.NaN) * 1000
}
