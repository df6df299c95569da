// The SQLite log stores records in blocks: the records of one append that fall in one minute, as one
// row. A row per record cost the writer thread 8–9 µs (34 columns bound, a B-tree insert per index)
// of the 15–18 µs per exchange that made the hub dearer than a bare proxy; a block costs about 0.5 µs
// per record, and the id index (which keeps appends idempotent and finds one record) about 0.6–0.9 µs,
// a block's ids entered in one statement (sqlite-block-writer.ts).
// A block is the record columns the writer thread receives (record-columns.ts), plus per record its
// interned dimensions (what filters compare) and its slot (its place in arrival order).
import type { TransactionRecord } from '../../contracts/transaction.js'
import { FIELD_COUNT, FIELD_OFFSET, IS_STRING_FIELD, recordAt } from './record-columns.js'

/** A record's tie-breaker among equal requestInTs is `seq * SLOTS_PER_BLOCK + slot`: arrival order. */
export const SLOTS_PER_BLOCK = 1024

/** Where each interned id sits among a record's dimensions. */
export const DIM = { client: 0, service: 1, clientMember: 2, serviceMember: 3, provider: 4, outcome: 5 } as const
export const DIMENSION_COUNT = Object.keys(DIM).length

const FORMAT = 1
const HEADER_BYTES = 16

export interface Block {
  readonly count: number
  /** count × FIELD_COUNT, as in RecordColumns: strings are indexes into `strings`. */
  readonly numbers: Float64Array
  /** count × DIMENSION_COUNT interned ids. */
  readonly dims: Int32Array
  readonly slots: Uint16Array
  readonly strings: readonly string[]
}

/**
 * [format, count, fields per record, string bytes] as u32, then numbers, dims and slots, then the
 * string table as JSON (exact for any string, and readable by any tool that opens the file).
 */
export function encodeBlock (block: Block): Buffer {
  const { count } = block
  const numberBytes = count * FIELD_COUNT * 8
  const dimBytes = count * DIMENSION_COUNT * 4
  const slotBytes = count * 2
  // The text is written straight into the block: no buffer of its own to fill and copy.
  const text = JSON.stringify(block.strings)
  const textBytes = Buffer.byteLength(text)
  const out = Buffer.allocUnsafe(HEADER_BYTES + numberBytes + dimBytes + slotBytes + textBytes)
  const header = new Uint32Array([FORMAT, count, FIELD_COUNT, textBytes])
  let at = copy(out, 0, header)
  at = copy(out, at, block.numbers.subarray(0, count * FIELD_COUNT))
  at = copy(out, at, block.dims.subarray(0, count * DIMENSION_COUNT))
  at = copy(out, at, block.slots.subarray(0, count))
  out.write(text, at, textBytes, 'utf8')
  return out
}

function copy (out: Buffer, at: number, values: ArrayBufferView): number {
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at)
  return at + values.byteLength
}

export function decodeBlock (data: Uint8Array): Block {
  // A private, aligned copy: typed arrays over it need 8-byte alignment, and SQLite's buffers may share a pool.
  const bytes = new Uint8Array(data.byteLength)
  bytes.set(data)
  const [format, count, fields, textBytes] = new Uint32Array(bytes.buffer, 0, 4) as unknown as [number, number, number, number]
  if (format !== FORMAT || fields !== FIELD_COUNT) throw new Error(`a transaction block of format ${format} with ${fields} fields per record; this program reads format ${FORMAT} with ${FIELD_COUNT}`)
  let at = HEADER_BYTES
  const numbers = new Float64Array(bytes.buffer, at, count * FIELD_COUNT)
  at += numbers.byteLength
  const dims = new Int32Array(bytes.buffer, at, count * DIMENSION_COUNT)
  at += dims.byteLength
  const slots = new Uint16Array(bytes.buffer, at, count)
  at += slots.byteLength
  const strings = JSON.parse(Buffer.from(bytes.buffer, at, textBytes).toString('utf8')) as string[]
  return { count, numbers, dims, slots, strings }
}

export function blockRecord (block: Block, index: number): TransactionRecord {
  return recordAt(block.numbers, block.strings, index * FIELD_COUNT)
}

export const fieldOf = (block: Block, index: number, field: keyof TransactionRecord): number => block.numbers[index * FIELD_COUNT + FIELD_OFFSET[field]] as number
export const idOf = (block: Block, index: number): string => block.strings[fieldOf(block, index, 'id')] as string

/** The earliest and latest requestInTs of the block's records. */
export function timeRange (block: Block): { min: number, max: number } {
  let min = Infinity
  let max = -Infinity
  for (let index = 0; index < block.count; index++) {
    const ts = fieldOf(block, index, 'requestInTs')
    if (ts < min) min = ts
    if (ts > max) max = ts
  }
  return { min, max }
}

/** The block holding only `keep` (indexes, in order), each with its slot, dimensions and its own strings only. */
export function subBlock (block: Block, keep: readonly number[]): Block {
  const count = keep.length
  const numbers = new Float64Array(count * FIELD_COUNT)
  const dims = new Int32Array(count * DIMENSION_COUNT)
  const slots = new Uint16Array(count)
  const strings: string[] = []
  const renumbered = new Map<number, number>()
  keep.forEach((index, k) => {
    slots[k] = block.slots[index] as number
    dims.set(block.dims.subarray(index * DIMENSION_COUNT, (index + 1) * DIMENSION_COUNT), k * DIMENSION_COUNT)
    for (let f = 0; f < FIELD_COUNT; f++) {
      let value = block.numbers[index * FIELD_COUNT + f] as number
      if (IS_STRING_FIELD[f] === true && !Number.isNaN(value)) {
        let renamed = renumbered.get(value)
        if (renamed === undefined) renumbered.set(value, renamed = strings.push(block.strings[value] as string) - 1)
        value = renamed
      }
      numbers[k * FIELD_COUNT + f] = value
    }
  })
  return { count, numbers, dims, slots, strings }
}
