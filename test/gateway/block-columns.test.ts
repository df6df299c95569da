// How the SQLite log lays a block's numbers out (format 2, by column): every value comes back exactly,
// whatever form its column takes; blocks written by earlier versions (format 1) still read; and a
// block of ordinary records is well under half the size format 1 gave it.
import t, { type Test } from 'tap'
import { decodeColumns, encodeColumns } from '../../gateway/transactions/block-columns.js'
import { FIELD_COUNT, toColumns } from '../../gateway/transactions/record-columns.js'
import { decodeBlock, DIMENSION_COUNT, encodeBlock, type Block } from '../../gateway/transactions/sqlite-blocks.js'
import { makeRecord, prng } from './transaction-store-contract.js'

/** One column through encode and decode, read back from a strided target as it would be in a block. */
function roundTrip (values: number[]): number[] {
  const stride = 3
  const source = new Float64Array(values.length * stride).fill(-1)
  values.forEach((value, i) => { source[1 + i * stride] = value })
  const prefix = 5 // not a multiple of 8: the columns must still start aligned
  const { out, at } = encodeColumns([{ values: source, offset: 1, stride }], values.length, prefix, 0)
  t.equal(at, out.length, 'the columns end where the buffer does (no text after them here)')
  const target = new Float64Array(values.length * stride)
  const end = decodeColumns(out.buffer as ArrayBuffer, 8, [{ values: target, offset: 1, stride }], values.length)
  t.equal(end, at, 'decoding ends where encoding did')
  return values.map((_, i) => target[1 + i * stride] as number)
}

const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((value, i) => Object.is(value, b[i]))

t.test('every kind of column comes back exactly', async (t) => {
  const cases: Array<[string, number[]]> = [
    ['one value throughout', [7, 7, 7, 7]],
    ['null throughout', [Number.NaN, Number.NaN, Number.NaN]],
    ['a single value', [42]],
    ['arrival slots', [0, 1, 2, 3, 4, 5]],
    ['a sequence from elsewhere', [1000, 1001, 1002]],
    ['timestamps within a minute, with nulls', [1_767_225_600_000, Number.NaN, 1_767_225_659_999, 1_767_225_600_001]],
    ['the widest range int32 offsets hold', [0, 0x7fffffff, 5]],
    ['one past it', [0, 0x80000000, 5]],
    ['the largest safe integers', [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0]],
    ['negative integers', [-5, -1, -0x7fffffff]],
    ['fractions', [0.5, 1.25, Number.NaN, 3]],
    ['infinities', [Infinity, -Infinity, 1]],
    ['nulls before the first value', [Number.NaN, Number.NaN, 3, 4]],
    ['a sequence broken by a null', [0, 1, Number.NaN, 3]],
  ]
  for (const [name, values] of cases) t.ok(same(roundTrip(values), values), name)
  const random = prng(7)
  for (let round = 0; round < 50; round++) {
    const values = Array.from({ length: 1 + Math.floor(random() * 40) }, () => {
      const pick = random()
      return pick < 0.2 ? Number.NaN : pick < 0.5 ? Math.floor(random() * 100) : pick < 0.8 ? 1_767_225_600_000 + Math.floor(random() * 60_000) : random() * 1e6
    })
    if (!same(roundTrip(values), values)) t.fail(`random column ${round} changed: ${JSON.stringify(values.map(String))}`)
  }
})

t.test('an unknown column kind is refused, not guessed at', async (t) => {
  const { out } = encodeColumns([{ values: [1, 2, 9], offset: 0, stride: 1 }], 3, 0, 0)
  new Uint32Array(out.buffer, out.byteOffset, 1)[0] = 9
  t.throws(() => decodeColumns(out.buffer as ArrayBuffer, 0, [{ values: new Float64Array(3), offset: 0, stride: 1 }], 3), /unknown kind 9/)
})

/** A block of `count` records as the writer makes one: the batch's columns, interned dimensions, arrival slots. */
function blockOf (count: number): Block {
  const records = Array.from({ length: count }, (_, i) => makeRecord({ requestInTs: 1_767_225_600_000 + i * 7, requestOutTs: i % 5 === 0 ? null : 1_767_225_600_001 + i * 7, requestHash: `rq-${i}`, responseHash: `rs-${i}` }))
  const { numbers, strings } = toColumns(records)
  const dims = new Int32Array(count * DIMENSION_COUNT).map((_, i) => i % DIMENSION_COUNT === 5 ? i % 3 : 4)
  return { count, numbers, dims, slots: Uint16Array.from({ length: count }, (_, i) => i), strings }
}

function sameBlock (t: Test, actual: Block, expected: Block): void {
  t.equal(actual.count, expected.count)
  t.ok(same([...actual.numbers], [...expected.numbers.subarray(0, expected.count * FIELD_COUNT)]), 'numbers, nulls included')
  t.strictSame([...actual.dims], [...expected.dims.subarray(0, expected.count * DIMENSION_COUNT)], 'dimensions')
  t.strictSame([...actual.slots], [...expected.slots.subarray(0, expected.count)], 'slots')
  t.strictSame(actual.strings, expected.strings, 'strings')
}

t.test('a block comes back as it was, whether its slots are in arrival order or not', async (t) => {
  const block = blockOf(300)
  sameBlock(t, decodeBlock(encodeBlock(block)), block)
  const shuffled = { ...block, slots: Uint16Array.from(block.slots).reverse() }
  sameBlock(t, decodeBlock(encodeBlock(shuffled)), shuffled)
  const single = blockOf(1)
  sameBlock(t, decodeBlock(encodeBlock(single)), single)
  // As SQLite hands blobs back: a view at an odd offset of a larger buffer.
  const encoded = encodeBlock(block)
  const unaligned = new Uint8Array(encoded.length + 3)
  unaligned.set(encoded, 3)
  sameBlock(t, decodeBlock(unaligned.subarray(3)), block)
})

t.test('the string table is read once, when first asked for', async (t) => {
  const block = blockOf(20)
  const decoded = decodeBlock(encodeBlock(block))
  const first = decoded.strings
  t.equal(decoded.strings, first, 'the same table on every later read, not parsed again')
  t.strictSame(first, block.strings)
})

t.test('a block written by an earlier version (format 1: numbers as they are in memory) still reads', async (t) => {
  const block = blockOf(50)
  const text = Buffer.from(JSON.stringify(block.strings))
  const parts = [new Uint32Array([1, block.count, FIELD_COUNT, text.length]), block.numbers, block.dims, block.slots]
  const legacy = Buffer.concat([...parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)), text])
  sameBlock(t, decodeBlock(legacy), block)
})

t.test('a block of any other format is refused with the formats this program reads', async (t) => {
  const encoded = encodeBlock(blockOf(3))
  new Uint32Array(encoded.buffer, encoded.byteOffset, 1)[0] = 7
  t.throws(() => decodeBlock(encoded), /format 7 .* reads formats 1 and 2/)
})

t.test('ordinary records take well under half the bytes format 1 gave them', async (t) => {
  const block = blockOf(500)
  const text = Buffer.byteLength(JSON.stringify(block.strings))
  const format1 = 16 + block.count * (FIELD_COUNT * 8 + DIMENSION_COUNT * 4 + 2) + text
  const numbersNow = encodeBlock(block).length - text
  const numbersThen = format1 - text
  t.ok(numbersNow < numbersThen / 4, `the numbers, dimensions and slots: ${numbersNow} bytes against ${numbersThen}`)
})
