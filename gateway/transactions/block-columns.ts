// How a block's numbers lie on disk (format 2): column by column, each in the narrowest of four
// forms its values allow. Most of a record's 29 numbers are string-table indexes and names that one
// batch shares, or timestamps within a minute of each other, so 8 bytes each (format 1) was mostly
// zeros: a bench record took 544 bytes of the log, and writing those pages (to the WAL, then again at
// each checkpoint) was the larger part of the writer thread's time. By column, it takes 314 bytes
// (the rest is mostly its id and two hashes as text), and appending 500-record batches in one thread
// measured 4.5 µs per record against 5.5 µs (medians of 8 alternating runs; encoding costs 0.05 µs more).
//
// A column is 8 bytes of kind, then its data, 8-byte aligned so that typed arrays can view it:
// - constant: one float64 that every value equals (NaN, meaning null, included);
// - sequence: one float64 `first`, value i being first + i (a new block's arrival slots);
// - int32: a float64 base, then a signed 32-bit offset from it per value (NULL_OFFSET for null),
//   for integers whose range fits;
// - float64: every value as it is.

const KIND = { constant: 0, sequence: 1, int32: 2, float64: 3 } as const
type Kind = (typeof KIND)[keyof typeof KIND]
const HEADER_BYTES = 8
const NULL_OFFSET = -0x80000000
const MAX_OFFSET = 0x7fffffff

/** A column of `count` values at `offset`, `offset + stride`, … of `values`: read when encoding, written when decoding. */
export interface Column { readonly values: { [i: number]: number }, readonly offset: number, readonly stride: number }

interface Plan { readonly kind: Kind, readonly base: number, readonly bytes: number }

const padded = (bytes: number): number => Math.ceil(bytes / 8) * 8

function plan ({ values, offset, stride }: Column, count: number): Plan {
  const first = values[offset] as number
  let constant = true
  let sequence = true
  let integers = true
  let min = Infinity
  let max = -Infinity
  for (let i = 0, at = offset; i < count; i++, at += stride) {
    const value = values[at] as number
    if (constant && !Object.is(value, first)) constant = false
    if (sequence && value !== first + i) sequence = false
    if (Number.isNaN(value)) continue
    if (!Number.isInteger(value)) integers = false
    if (value < min) min = value
    if (value > max) max = value
  }
  if (count === 0 || constant) return { kind: KIND.constant, base: first, bytes: HEADER_BYTES + 8 }
  if (sequence) return { kind: KIND.sequence, base: first, bytes: HEADER_BYTES + 8 }
  if (integers && max - min <= MAX_OFFSET) return { kind: KIND.int32, base: min, bytes: HEADER_BYTES + 8 + padded(count * 4) }
  return { kind: KIND.float64, base: 0, bytes: HEADER_BYTES + count * 8 }
}

/** The columns, one after another, into one 8-byte aligned buffer with `prefix` bytes left free at the start. */
export function encodeColumns (columns: readonly Column[], count: number, prefix: number, suffix: number): { out: Buffer, at: number } {
  const plans = columns.map((column) => plan(column, count))
  const size = padded(prefix) + plans.reduce((sum, p) => sum + p.bytes, 0)
  const memory = new ArrayBuffer(size + suffix)
  let at = padded(prefix)
  columns.forEach(({ values, offset, stride }, c) => {
    const { kind, base } = plans[c] as Plan
    new Uint32Array(memory, at, 1)[0] = kind
    at += HEADER_BYTES
    if (kind === KIND.float64) {
      const out = new Float64Array(memory, at, count)
      for (let i = 0, from = offset; i < count; i++, from += stride) out[i] = values[from] as number
      at += count * 8
      return
    }
    new Float64Array(memory, at, 1)[0] = base
    at += 8
    if (kind !== KIND.int32) return
    const out = new Int32Array(memory, at, count)
    for (let i = 0, from = offset; i < count; i++, from += stride) {
      const value = values[from] as number
      out[i] = Number.isNaN(value) ? NULL_OFFSET : value - base
    }
    at += padded(count * 4)
  })
  return { out: Buffer.from(memory), at }
}

/** Reads the columns back into `targets` (value i of column c at `offset + i * stride` of its target); returns where they end. */
export function decodeColumns (memory: ArrayBuffer, at: number, targets: readonly Column[], count: number): number {
  for (const { values, offset, stride } of targets) {
    const kind = new Uint32Array(memory, at, 1)[0] as number
    at += HEADER_BYTES
    if (kind === KIND.float64) {
      const column = new Float64Array(memory, at, count)
      for (let i = 0, to = offset; i < count; i++, to += stride) values[to] = column[i] as number
      at += count * 8
      continue
    }
    const base = new Float64Array(memory, at, 1)[0] as number
    at += 8
    if (kind === KIND.constant) {
      for (let i = 0, to = offset; i < count; i++, to += stride) values[to] = base
    } else if (kind === KIND.sequence) {
      for (let i = 0, to = offset; i < count; i++, to += stride) values[to] = base + i
    } else if (kind === KIND.int32) {
      const column = new Int32Array(memory, at, count)
      for (let i = 0, to = offset; i < count; i++, to += stride) {
        const delta = column[i] as number
        values[to] = delta === NULL_OFFSET ? Number.NaN : base + delta
      }
      at += padded(count * 4)
    } else {
      throw new Error(`a transaction block column of unknown kind ${kind}`)
    }
  }
  return at
}
