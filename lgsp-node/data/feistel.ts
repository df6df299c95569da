// A keyed bijection on [0, size): lets a dataset map "the k-th record" to a scattered identifier and
// back in constant time, with no stored table — which is what keeps memory flat at national scale.
import { mix32 } from './hash.js'

const ROUNDS = 4

/**
 * Balanced Feistel network over base-m digits (domain m², m = ceil(sqrt(size))), restricted to
 * [0, size) by cycle walking. Because m² < size + 2·sqrt(size) + 1, a walk needs ~1 step on average.
 */
export class FeistelPermutation {
  readonly size: number
  private readonly base: number
  private readonly keys: Uint32Array

  constructor (size: number, key: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`permutation size must be a positive integer, got ${size}`)
    this.size = size
    this.base = Math.max(2, Math.ceil(Math.sqrt(size)))
    this.keys = new Uint32Array(ROUNDS)
    for (let round = 0; round < ROUNDS; round++) this.keys[round] = mix32(key + Math.imul(round + 1, 0x9e3779b9))
  }

  /** Index → scattered value. */
  forward (index: number): number {
    let value = index
    do value = this.encrypt(value); while (value >= this.size)
    return value
  }

  /** Scattered value → index (the exact inverse of forward). */
  inverse (value: number): number {
    let index = value
    do index = this.decrypt(index); while (index >= this.size)
    return index
  }

  // Both halves stay below m, so (a ± b) mod m is one conditional correction: only the round function
  // divides. Households and insurance codes run these several times per record.
  private encrypt (value: number): number {
    const m = this.base
    let left = Math.floor(value / m)
    let right = value - left * m
    for (let round = 0; round < ROUNDS; round++) {
      let next = left + this.roundFunction(right, round)
      if (next >= m) next -= m
      left = right
      right = next
    }
    return left * m + right
  }

  private decrypt (value: number): number {
    const m = this.base
    let left = Math.floor(value / m)
    let right = value - left * m
    for (let round = ROUNDS - 1; round >= 0; round--) {
      let previous = right - this.roundFunction(left, round)
      if (previous < 0) previous += m
      right = left
      left = previous
    }
    return left * m + right
  }

  /**
   * Both operands unsigned 32-bit and the result truncated (`| 0`, exact: it is below the base), so V8
   * divides in integers; otherwise the modulo may be NaN (a zero divisor) and V8 falls back to fprem.
   */
  private roundFunction (half: number, round: number): number {
    return (mix32((half >>> 0) ^ (this.keys[round] as number)) % (this.base >>> 0)) | 0
  }
}

/** How many round keys serialRoundKeys writes per key. */
export const SERIAL_ROUND_KEYS = ROUNDS

/** The round keys of permuteSerial for a key: a caller that permutes often under one key keeps them. */
export function serialRoundKeys (key: number, into: Uint32Array, at: number): void {
  for (let round = 0; round < ROUNDS; round++) into[at + round] = mix32(key + round)
}

/**
 * The same network over a fixed 10^6 domain (1000 × 1000, so no cycle walking), keyed per call:
 * used for the 6-digit serials of personal IDs, where one permutation per bucket would cost memory.
 */
export function permuteSerial (serial: number, key: number): number {
  let left = Math.floor(serial / 1000)
  let right = serial - left * 1000
  for (let round = 0; round < ROUNDS; round++) {
    const next = (left + mix32(right ^ mix32(key + round)) % 1000) % 1000
    left = right
    right = next
  }
  return left * 1000 + right
}

/** permuteSerial (0 ≤ serial < 10^6) with round keys from serialRoundKeys stored at `at`; the halves stay below 1000. */
export function permuteSerialWith (serial: number, roundKeys: Uint32Array, at: number): number {
  let left = Math.floor(serial / 1000)
  let right = serial - left * 1000
  for (let round = 0; round < ROUNDS; round++) {
    let next = left + ((mix32(right ^ (roundKeys[at + round] as number)) % 1000) | 0)
    if (next >= 1000) next -= 1000
    left = right
    right = next
  }
  return left * 1000 + right
}

export function unpermuteSerial (value: number, key: number): number {
  let left = Math.floor(value / 1000)
  let right = value - left * 1000
  for (let round = ROUNDS - 1; round >= 0; round--) {
    const previous = (right - mix32(left ^ mix32(key + round)) % 1000 + 1000) % 1000
    right = left
    left = previous
  }
  return left * 1000 + right
}
