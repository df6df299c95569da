// Latency histograms for the load generator: HDR histograms of microseconds, 1 µs to 1 h, 3 significant digits.
import * as hdr from 'hdr-histogram-js'

const LOWEST_US = 1
const HIGHEST_US = 3_600_000_000
const DIGITS = 3

// The WebAssembly build records about 3.5 times faster than the JS one (≈35 ns vs ≈125 ns per value,
// measured on Node 20), and the engine records several values per request. It needs explicit
// `destroy()`; when WebAssembly is unavailable the JS build is used and `destroy()` is a no-op.
let useWasm = false
try {
  hdr.initWebAssemblySync()
  useWasm = true
} catch {
  useWasm = false
}

/** Percentiles in milliseconds (microsecond resolution), plus the count and the encoded histogram. */
export interface LatencySummary {
  readonly count: number
  readonly min: number
  readonly mean: number
  readonly p50: number
  readonly p75: number
  readonly p90: number
  readonly p99: number
  readonly p999: number
  readonly max: number
  /** The whole histogram (microseconds), compressed base64: decode with `LatencyHistogram.decode`. */
  readonly histogram: string
}

export class LatencyHistogram {
  readonly #h: hdr.Histogram

  private constructor (h: hdr.Histogram) {
    this.#h = h
  }

  static create (): LatencyHistogram {
    return new LatencyHistogram(hdr.build({
      lowestDiscernibleValue: LOWEST_US,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: DIGITS,
      autoResize: false,
      useWebAssembly: useWasm,
    }))
  }

  /** Rebuilds a histogram from `encode()`'s output (e.g. a worker's); throws on a malformed string. */
  static decode (encoded: string): LatencyHistogram {
    // The encoding carries the range, so a decoded histogram merges with locally built ones.
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(encoded, 32, useWasm))
  }

  get count (): number {
    return this.#h.totalCount
  }

  /** Records a duration in microseconds, clamped into the trackable range (a histogram must never throw mid-run). */
  recordMicros (us: number): void {
    this.#h.recordValue(us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : Math.round(us))
  }

  /** Records a duration given in (fractional) milliseconds, as `performance.now()` differences are. */
  recordMillis (ms: number): void {
    this.recordMicros(ms * 1000)
  }

  /** The value in microseconds at a percentile (0–100); 0 when empty. */
  percentileMicros (percentile: number): number {
    return this.#h.totalCount === 0 ? 0 : this.#h.getValueAtPercentile(percentile)
  }

  add (other: LatencyHistogram): void {
    // Both sides are the same implementation (the module picks one), which `add` requires.
    this.#h.add(other.#h)
  }

  reset (): void {
    this.#h.reset()
  }

  encode (): string {
    return hdr.encodeIntoCompressedBase64(this.#h)
  }

  summary (): LatencySummary {
    const h = this.#h
    const empty = h.totalCount === 0
    const ms = (us: number): number => empty ? 0 : Math.round(us) / 1000
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      mean: empty ? 0 : Math.round(h.mean) / 1000,
      p50: ms(this.percentileMicros(50)),
      p75: ms(this.percentileMicros(75)),
      p90: ms(this.percentileMicros(90)),
      p99: ms(this.percentileMicros(99)),
      p999: ms(this.percentileMicros(99.9)),
      max: ms(h.maxValue),
      histogram: this.encode(),
    }
  }

  /** Frees the WebAssembly memory; the histogram must not be used afterwards. */
  destroy (): void {
    this.#h.destroy()
  }
}

/** Sums encoded histograms into one (workers' results); `undefined` entries are skipped. */
export function mergeEncoded (encoded: ReadonlyArray<string | undefined>): LatencyHistogram {
  const merged = LatencyHistogram.create()
  for (const text of encoded) {
    if (text === undefined || text === '') continue
    const part = LatencyHistogram.decode(text)
    merged.add(part)
    part.destroy()
  }
  return merged
}
