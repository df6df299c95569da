// The latency histogram of the rollups: fixed log-spaced buckets, stored sparse, merged by addition.
// Fixed buckets make every histogram mergeable with every other, whatever minute or replica made it.

/** Bucket 0 holds [0, 0.05 ms); bucket i (1..LAST) holds [0.05·1.1^(i-1), 0.05·1.1^i); OVERFLOW holds ≥ 300 s. */
export const HISTOGRAM_MIN_MS = 0.05
export const HISTOGRAM_MAX_MS = 300_000
const GROWTH = 1.1
const LOG_GROWTH = Math.log(GROWTH)
const LAST = Math.ceil(Math.log(HISTOGRAM_MAX_MS / HISTOGRAM_MIN_MS) / LOG_GROWTH)
export const OVERFLOW_BUCKET = LAST + 1
export const BUCKET_COUNT = OVERFLOW_BUCKET + 1
/** A 10% wide bucket reported by its geometric middle is off by at most √1.1 − 1 ≈ 4.9%. */
export const RELATIVE_ERROR = Math.sqrt(GROWTH) - 1

// The encoding spends one byte on the bucket number.
if (BUCKET_COUNT > 256) throw new Error('histogram buckets must fit in a byte')

export function bucketOf (ms: number): number {
  if (!(ms >= HISTOGRAM_MIN_MS)) return 0 // also NaN: a broken clock must not break the rollup
  if (ms >= HISTOGRAM_MAX_MS) return OVERFLOW_BUCKET
  return Math.min(LAST, Math.floor(Math.log(ms / HISTOGRAM_MIN_MS) / LOG_GROWTH) + 1)
}

/** The value a bucket stands for; the caller clamps it to the exact maximum it also keeps. */
export function bucketValue (bucket: number): number {
  if (bucket <= 0) return 0
  if (bucket >= OVERFLOW_BUCKET) return HISTOGRAM_MAX_MS
  return HISTOGRAM_MIN_MS * GROWTH ** (bucket - 0.5)
}

/** Counts per bucket; Float64Array so sums over years of traffic stay exact. */
export type Counts = Float64Array
export const emptyCounts = (): Counts => new Float64Array(BUCKET_COUNT)

/**
 * Sparse encoding: for each non-empty bucket in ascending order, one byte of bucket number and the
 * count as an unsigned LEB128 varint. A minute of one client's calls usually takes 2–6 bytes.
 */
export function encode (counts: ArrayLike<number>): Buffer {
  const bytes: number[] = []
  for (let bucket = 0; bucket < counts.length; bucket++) push(bytes, bucket, counts[bucket] ?? 0)
  return Buffer.from(bytes)
}

/** The same encoding from a sparse bucket → count map (what one batch adds to a rollup row). */
export function encodeSparse (buckets: ReadonlyMap<number, number>): Buffer {
  const bytes: number[] = []
  for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) push(bytes, bucket, buckets.get(bucket) ?? 0)
  return Buffer.from(bytes)
}

function push (bytes: number[], bucket: number, count: number): void {
  if (!(count > 0) || bucket < 0 || bucket >= BUCKET_COUNT) return
  bytes.push(bucket)
  let n = Math.floor(count)
  while (n >= 128) {
    bytes.push((n % 128) | 128)
    n = Math.floor(n / 128)
  }
  bytes.push(n)
}

/**
 * Adds an encoded histogram into `into` and returns the lowest and highest bucket touched, so that
 * the caller can read and clear only that span. Malformed bytes end the decoding rather than throw.
 */
export function addEncoded (into: Counts, encoded: Uint8Array, span: [number, number]): void {
  let i = 0
  const end = encoded.length
  while (i < end) {
    const bucket = encoded[i++] as number
    let n = 0
    let scale = 1
    let byte = 128
    while (byte >= 128 && i < end) {
      byte = encoded[i++] as number
      n += (byte & 127) * scale
      scale *= 128
    }
    if (bucket >= BUCKET_COUNT) return
    into[bucket] = (into[bucket] as number) + n
    if (bucket < span[0]) span[0] = bucket
    if (bucket > span[1]) span[1] = bucket
  }
}

/** Merges two encoded histograms into one (used by the SQLite upsert to fold a delta into a row). */
export function mergeEncoded (a: Uint8Array | null, b: Uint8Array | null): Buffer {
  const counts = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  if (a !== null) addEncoded(counts, a, span)
  if (b !== null) addEncoded(counts, b, span)
  return encode(counts)
}

export interface LatencySummary { p50: number, p90: number, p99: number, max: number, mean: number }

const round = (ms: number): number => Math.round(ms * 1000) / 1000

/**
 * Nearest-rank percentiles from the buckets in `span`, each clamped to the exact maximum; then clears
 * that span so one scratch array serves every group of a query.
 */
export function summarizeAndClear (counts: Counts, span: [number, number], total: number, sumMs: number, maxMs: number): LatencySummary {
  const ranks = [0.5, 0.9, 0.99].map((p) => Math.max(1, Math.ceil(p * total)))
  const values = [maxMs, maxMs, maxMs]
  let seen = 0
  let next = 0
  for (let bucket = span[0]; bucket <= span[1] && next < ranks.length; bucket++) {
    seen += counts[bucket] as number
    while (next < ranks.length && seen >= (ranks[next] as number)) values[next++] = Math.min(bucketValue(bucket), maxMs)
  }
  if (span[1] >= span[0]) counts.fill(0, span[0], span[1] + 1)
  span[0] = BUCKET_COUNT
  span[1] = -1
  return { p50: round(values[0] as number), p90: round(values[1] as number), p99: round(values[2] as number), max: round(maxMs), mean: round(total > 0 ? sumMs / total : 0) }
}
