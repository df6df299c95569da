// Integer hashing and a tiny seeded PRNG: the only source of randomness in the generated datasets,
// so every machine derives the same record from the same seed and key.

/** murmur3's 32-bit finaliser: a cheap, well-mixed bijection on uint32. */
export function mix32 (value: number): number {
  let x = value >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}

/** Hashes a seed with up to three non-negative integers below 2^53 (indexes, codes, purposes). */
export function hashInts (seed: number, a: number, b = 0, c = 0): number {
  let h = mix32(seed ^ 0x9e3779b9)
  h = mix32(h ^ (a >>> 0)) ^ highWord(a)
  h = mix32(h ^ (b >>> 0) ^ 0x85ebca6b) ^ highWord(b)
  h = mix32(h ^ (c >>> 0) ^ 0xc2b2ae35) ^ highWord(c)
  return mix32(h)
}

/** floor(value / 2^32), without the division for the usual value that fits 32 bits. */
function highWord (value: number): number {
  return (value >>> 0) === value ? 0 : Math.floor(value / 0x100000000)
}

/** FNV-1a over a string, for turning textual seeds and purposes into numbers. */
export function hashString (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return mix32(h)
}

/**
 * A mulberry32 stream: one per generated record, seeded from the record's key. The state and each
 * step are kept as signed 32-bit integers (the same bits as the unsigned ones; every use is bitwise
 * or converts with `>>> 0`): V8 holds them as small integers, never as boxed doubles, even where a
 * call is not inlined.
 */
export class Rng {
  private state: number

  constructor (seed: number) {
    this.state = seed | 0
  }

  /** A generator seeded with hashInts(seed, a, b, c), so the hash never leaves as an unsigned value. */
  static keyed (seed: number, a: number, b = 0, c = 0): Rng {
    return new Rng(hashInts(seed, a, b, c))
  }

  private step (): number {
    const state = (this.state + 0x6d2b79f5) | 0
    this.state = state
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= (t + Math.imul(t ^ (t >>> 7), t | 61)) | 0
    return t ^ (t >>> 14)
  }

  nextUint32 (): number {
    return this.step() >>> 0
  }

  /** Uniform float in [0, 1). */
  next (): number {
    return (this.step() >>> 0) / 0x100000000
  }

  /** Uniform integer in [0, bound). */
  below (bound: number): number {
    return Math.floor(((this.step() >>> 0) / 0x100000000) * bound)
  }

  /** Uniform integer in [min, max]. */
  between (min: number, max: number): number {
    return min + this.below(max - min + 1)
  }

  chance (probability: number): boolean {
    return (this.step() >>> 0) / 0x100000000 < probability
  }

  pick<T> (items: readonly T[]): T {
    return items[this.below(items.length)] as T
  }
}

/** A weighted table prepared once, so that drawing from it is a short scan over cumulative weights. */
export class WeightedTable<T> {
  private readonly cumulative: Float64Array
  readonly values: readonly T[]

  constructor (entries: ReadonlyArray<readonly [T, number]>) {
    this.values = entries.map(([value]) => value)
    this.cumulative = new Float64Array(entries.length)
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
    let running = 0
    entries.forEach(([, weight], index) => {
      running += weight / total
      this.cumulative[index] = running
    })
    this.cumulative[entries.length - 1] = 1
  }

  /** Maps a uniform draw u in [0, 1) onto the table. */
  at (u: number): T {
    return this.values[this.indexAt(u)] as T
  }

  /** The position in `values` that a uniform draw u in [0, 1) maps to. */
  indexAt (u: number): number {
    const cumulative = this.cumulative
    let index = 0
    while (index < cumulative.length - 1 && (cumulative[index] as number) <= u) index++
    return index
  }

  draw (rng: Rng): T {
    return this.at(rng.next())
  }

  drawIndex (rng: Rng): number {
    return this.indexAt(rng.next())
  }
}
