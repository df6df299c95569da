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

export function bucketOf (ms: number): number {
  if (!(ms >= HISTOGRAM_MIN_MS)) return 0 // also NaN: a broken clock must not break the rollup
  if (ms >= HISTOGRAM_MAX_MS) return OVERFLOW_BUCKET
  return Math.min(LAST, Math.floor(Math.log(ms / HISTOGRAM_MIN_MS) / LOG_GROWTH) + 1)
}

const VALUES = Array.from({ length: LAST + 2 }, (_, bucket) => bucket === 0 ? 0 : bucket > LAST ? HISTOGRAM_MAX_MS : HISTOGRAM_MIN_MS * GROWTH ** (bucket - 0.5))

/** The value a bucket stands for; the caller clamps it to the exact maximum it also keeps. */
export function bucketValue (bucket: number): number {
  return VALUES[Math.max(0, Math.min(OVERFLOW_BUCKET, bucket))] as number
}

/** Counts per bucket; Float64Array so sums over years of traffic stay exact. */
export type Counts = Float64Array
export const emptyCounts = (): Counts => new Float64Array(BUCKET_COUNT)

/**
 * Sparse text: for each non-empty bucket, the bucket then its count, each a base-32 varint of ASCII
 * digits ('0'–'O' end a number, 'P'–'o' continue it): "01" is one exchange under 0.05 ms.
 * Pairs add up in any order, so concatenated histograms are their sum: SQLite merges the histograms
 * of a group with group_concat, in C, and JavaScript decodes one string per group. Text rather than
 * a BLOB also because SQLite hands a BLOB to JavaScript as a Buffer (external memory, slow to collect).
 */
export function encode (counts: ArrayLike<number>): string {
  let text = ''
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const n = counts[bucket] ?? 0
    if (n > 0) text += digits(bucket) + digits(n)
  }
  return text
}

/** The same encoding from a count per bucket, in any order (what one batch adds to a row). */
export function encodeCounts (counts: ReadonlyMap<number, number>): string {
  let text = ''
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) text += digits(bucket) + digits(counts.get(bucket) as number)
  return text
}

/** One bucket with its count, encoded. */
export const encodeOne = (bucket: number, count: number): string => digits(bucket) + digits(count)

function digits (value: number): string {
  let n = Math.floor(value)
  let text = ''
  while (n >= 32) {
    text += String.fromCharCode(80 + (n % 32))
    n = Math.floor(n / 32)
  }
  return text + String.fromCharCode(48 + n)
}

/**
 * Adds an encoded histogram into `into`, widening `span` to the lowest and highest bucket touched so
 * that the caller reads and clears only that span. Malformed text ends the decoding rather than throw.
 */
export function addEncoded (into: Counts, encoded: string, span: [number, number]): void {
  let i = 0
  const end = encoded.length
  while (i < end) {
    let bucket = 0
    let count = 0
    for (let part = 0; part < 2; part++) {
      let n = 0
      let scale = 1
      let code = 0
      do {
        code = i < end ? encoded.charCodeAt(i++) : 48
        n += ((code >= 80 ? code - 80 : code - 48) & 31) * scale
        scale *= 32
      } while (code >= 80 && code < 112)
      if (code < 48 || code >= 112) return
      if (part === 0) bucket = n
      else count = n
    }
    if (bucket >= BUCKET_COUNT) return
    addCount(into, bucket, count, span)
  }
}

export function addCount (into: Counts, bucket: number, count: number, span: [number, number]): void {
  into[bucket] = (into[bucket] as number) + count
  if (bucket < span[0]) span[0] = bucket
  if (bucket > span[1]) span[1] = bucket
}

/** Folds one row's histogram into another's (the SQLite upsert), keeping one pair per bucket. */
export function mergeEncoded (a: string, b: string): string {
  const counts = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  addEncoded(counts, a, span)
  addEncoded(counts, b, span)
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
