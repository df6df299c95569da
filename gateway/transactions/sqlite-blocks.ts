// The SQLite log stores records in blocks: the records of one append that fall in one minute, as one
// row. A row per record cost the writer thread 8–9 µs (34 columns bound, a B-tree insert per index)
// of the 15–18 µs per exchange that made the hub dearer than a bare proxy; a block costs about 0.5 µs
// per record, and the id index (which keeps appends idempotent and finds one record) about 0.6–0.9 µs,
// a block's ids entered in one statement (sqlite-block-writer.ts).
// A block is the record columns the writer thread receives (record-columns.ts), plus per record its
// interned dimensions (what filters compare) and its slot (its place in arrival order).
import type { TransactionRecord } from '../../contracts/transaction.js'
import { decodeColumns, encodeColumns, type Column } from './block-columns.js'
import { FIELD_COUNT, FIELD_OFFSET, IS_STRING_FIELD, recordAt } from './record-columns.js'

/** A record's tie-breaker among equal requestInTs is `seq * SLOTS_PER_BLOCK + slot`: arrival order. */
export const SLOTS_PER_BLOCK = 1024

/** Where each interned id sits among a record's dimensions. */
export const DIM = { client: 0, service: 1, clientMember: 2, serviceMember: 3, provider: 4, outcome: 5 } as const
export const DIMENSION_COUNT = Object.keys(DIM).length

/** Format 1 stored numbers, dims and slots as they are in memory; 2 stores them by column (block-columns.ts). */
const FORMAT_PLAIN = 1
const FORMAT_COLUMNS = 2
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

/** Where a block's values go, column by column: each field, each dimension, then the slots. */
function columnsOf (block: Pick<Block, 'numbers' | 'dims' | 'slots'>): Column[] {
  return [
    ...Array.from({ length: FIELD_COUNT }, (_, field) => ({ values: block.numbers, offset: field, stride: FIELD_COUNT })),
    ...Array.from({ length: DIMENSION_COUNT }, (_, dim) => ({ values: block.dims, offset: dim, stride: DIMENSION_COUNT })),
    { values: block.slots, offset: 0, stride: 1 },
  ]
}

/**
 * [format, count, fields per record, string bytes] as u32, then the numbers, dims and slots by column
 * (block-columns.ts), then the string table as JSON (exact for any string, and readable by any tool
 * that opens the file).
 */
export function encodeBlock (block: Block): Buffer {
  const { count } = block
  const text = JSON.stringify(block.strings)
  const textBytes = Buffer.byteLength(text)
  const { out, at } = encodeColumns(columnsOf(block), count, HEADER_BYTES, textBytes)
  new Uint32Array(out.buffer, out.byteOffset, 4).set([FORMAT_COLUMNS, count, FIELD_COUNT, textBytes])
  // The text is written straight into the block: no buffer of its own to fill and copy.
  out.write(text, at, textBytes, 'utf8')
  return out
}

export function decodeBlock (data: Uint8Array): Block {
  // A private, aligned copy: typed arrays over it need 8-byte alignment, and SQLite's buffers may share a pool.
  const bytes = new Uint8Array(data.byteLength)
  bytes.set(data)
  const [format, count, fields, textBytes] = new Uint32Array(bytes.buffer, 0, 4) as unknown as [number, number, number, number]
  if ((format !== FORMAT_PLAIN && format !== FORMAT_COLUMNS) || fields !== FIELD_COUNT) {
    throw new Error(`a transaction block of format ${format} with ${fields} fields per record; this program reads formats ${FORMAT_PLAIN} and ${FORMAT_COLUMNS} with ${FIELD_COUNT}`)
  }
  let at = HEADER_BYTES
  let numbers: Float64Array, dims: Int32Array, slots: Uint16Array
  if (format === FORMAT_COLUMNS) {
    numbers = new Float64Array(count * FIELD_COUNT)
    dims = new Int32Array(count * DIMENSION_COUNT)
    slots = new Uint16Array(count)
    at = decodeColumns(bytes.buffer, at, columnsOf({ numbers, dims, slots }), count)
  } else {
    numbers = new Float64Array(bytes.buffer, at, count * FIELD_COUNT)
    at += numbers.byteLength
    dims = new Int32Array(bytes.buffer, at, count * DIMENSION_COUNT)
    at += dims.byteLength
    slots = new Uint16Array(bytes.buffer, at, count)
    at += slots.byteLength
  }
  // Parsed on first use: a page's filter reads only dims and numbers, and in a minute's blocks where
  // nothing matches (a rare client's 504s, say), the string table was most of a block's decoding.
  const text = Buffer.from(bytes.buffer, at, textBytes)
  let strings: string[] | undefined
  return {
    count,
    numbers,
    dims,
    slots,
    get strings (): string[] {
      strings ??= JSON.parse(text.toString('utf8')) as string[]
      return strings
    },
  }
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
