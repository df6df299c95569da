// The pieces under the transaction store: histogram buckets and encoding, cursors, how ranges are
// covered by rollups, and the fast record check agreeing with the contract's schema.
import t from 'tap'
import { transactionRecordSchema, type TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from '../../gateway/transactions/cursor.js'
import {
  BUCKET_COUNT, HISTOGRAM_MAX_MS, OVERFLOW_BUCKET, RELATIVE_ERROR, addEncoded, bucketOf, bucketValue, emptyCounts, encode, encodeSparse, mergeEncoded, summarizeAndClear,
} from '../../gateway/transactions/histogram.js'
import { LEVEL_MS, segmentsFor, type Level } from '../../gateway/transactions/rollup.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, RECORD_FIELDS, checkRecords } from '../../gateway/transactions/store.js'
import { T0, makeRecord, prng } from './transaction-store-contract.js'

t.test('every latency from 0.05 ms to 300 s is reported within ±5%', async (t) => {
  t.ok(BUCKET_COUNT <= 256, `${BUCKET_COUNT} buckets fit the one-byte encoding`)
  let worst = 0
  let previous = -1
  for (let ms = 0.05; ms < HISTOGRAM_MAX_MS; ms *= 1.013) {
    const bucket = bucketOf(ms)
    if (bucket < previous) t.fail(`bucket of ${ms} went down`)
    previous = bucket
    worst = Math.max(worst, Math.abs(bucketValue(bucket) - ms) / ms)
  }
  for (let ms = 1; ms <= 5000; ms++) worst = Math.max(worst, Math.abs(bucketValue(bucketOf(ms)) - ms) / ms)
  t.ok(worst <= RELATIVE_ERROR + 1e-9, `worst relative error ${(worst * 100).toFixed(2)}%`)
  t.equal(bucketOf(0), 0)
  t.equal(bucketOf(Number.NaN), 0)
  t.equal(bucketOf(-5), 0)
  t.equal(bucketOf(HISTOGRAM_MAX_MS), OVERFLOW_BUCKET)
  t.equal(bucketOf(1e12), OVERFLOW_BUCKET)
})

t.test('the sparse encoding round-trips, merges by addition, and ignores garbage', async (t) => {
  const counts = emptyCounts()
  counts[0] = 1
  counts[40] = 127
  counts[41] = 128
  counts[OVERFLOW_BUCKET] = 2 ** 40
  const encoded = encode(counts)
  t.equal(encode(emptyCounts()).length, 0, 'an empty histogram takes no bytes')
  t.strictSame(encodeSparse(new Map([[41, 128], [0, 1], [OVERFLOW_BUCKET, 2 ** 40], [40, 127]])), encoded, 'same bytes from a sparse map')
  const back = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  addEncoded(back, encoded, span)
  t.strictSame([...back], [...counts])
  t.strictSame(span, [0, OVERFLOW_BUCKET])
  const doubled = emptyCounts()
  addEncoded(doubled, mergeEncoded(encoded, encoded), [BUCKET_COUNT, -1])
  t.strictSame([...doubled], [...counts].map((n) => n * 2))
  t.strictSame(mergeEncoded(null, encoded), encoded)
  const garbage = emptyCounts()
  addEncoded(garbage, Uint8Array.from([255, 1, 7, 200]), [BUCKET_COUNT, -1])
  t.ok([...garbage].every((n) => n === 0), 'an unknown bucket ends the decoding')
  addEncoded(garbage, Uint8Array.from([3, 0x80]), [BUCKET_COUNT, -1])
  t.ok(Number.isFinite(garbage[3]), 'a truncated count does not throw')
})

t.test('percentiles are nearest-rank, clamped to the exact maximum, and the scratch is cleared', async (t) => {
  const counts = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  addEncoded(counts, encodeSparse(new Map([[bucketOf(10), 98], [bucketOf(1000), 2]])), span)
  const summary = summarizeAndClear(counts, span, 100, 98 * 10 + 2 * 1000, 1003)
  t.ok(Math.abs(summary.p50 - 10) <= 10 * RELATIVE_ERROR)
  t.ok(Math.abs(summary.p99 - 1000) <= 1000 * RELATIVE_ERROR, 'the 99th of 100 is among the slow two')
  t.equal(summary.max, 1003)
  t.equal(summary.mean, 29.8)
  t.ok([...counts].every((n) => n === 0))
  t.strictSame(span, [BUCKET_COUNT, -1])
  addEncoded(counts, encodeSparse(new Map([[OVERFLOW_BUCKET, 1]])), span)
  t.equal(summarizeAndClear(counts, span, 1, 400_000, 400_000).p50, 300_000, 'beyond the last bucket: its lower bound')
})

t.test('cursors round-trip and nothing else decodes', async (t) => {
  for (const position of [{ ts: 0, tie: 0 }, { ts: T0, tie: 12345 }, { ts: 8_640_000_000_000_000, tie: Number.MAX_SAFE_INTEGER }]) {
    const cursor = encodeCursor(position)
    t.match(cursor, /^[A-Za-z0-9_-]+$/, 'base64url')
    t.strictSame(decodeCursor(cursor), position)
  }
  t.throws(() => decodeCursor(`${encodeCursor({ ts: 1, tie: 2 })}=`), { code: 'client.bad_request' })
})

t.test('a range is covered exactly once, by the coarsest rollups its interval allows', async (t) => {
  const random = prng(3)
  const day = Date.UTC(2025, 6, 1)
  for (let i = 0; i < 300; i++) {
    const from = day + Math.floor(random() * 5 * DAY_MS / MINUTE_MS) * MINUTE_MS
    const to = from + Math.floor(random() * (random() < 0.5 ? 3 * HOUR_MS : 4 * DAY_MS) / MINUTE_MS) * MINUTE_MS
    for (const coarsest of [0, 1, 2] as Level[]) {
      const segments = segmentsFor(from, to, coarsest)
      let cursor = from
      for (const s of segments) {
        if (s.from !== cursor || s.level > coarsest || s.from % LEVEL_MS[s.level] !== 0 || s.to % LEVEL_MS[s.level] !== 0) t.fail(`bad segment ${JSON.stringify(s)} for [${from}, ${to}) at ${coarsest}`)
        cursor = s.to
      }
      if (cursor !== (segments.length === 0 ? from : to)) t.fail(`[${from}, ${to}) not covered`)
      if (from === to && segments.length > 0) t.fail('an empty range needs no segment')
    }
  }
  // 01:30 on day 1 to 00:30 on day 3: 30 minutes, 22 hours, 1 day, 30 minutes.
  t.strictSame(segmentsFor(day + 90 * MINUTE_MS, day + 2 * DAY_MS + 30 * MINUTE_MS, 2).map((s) => [s.level, (s.to - s.from) / LEVEL_MS[s.level]]),
    [[0, 30], [1, 22], [2, 1], [0, 30]])
  t.strictSame(segmentsFor(day, day + 2 * DAY_MS, 1).map((s) => [s.level, (s.to - s.from) / LEVEL_MS[s.level]]), [[1, 48]], 'interval=hour reads hours, never days')
})

t.test('the fast record check holds the contract schema', async (t) => {
  const shape = Object.keys(transactionRecordSchema.shape).sort()
  t.strictSame(Object.keys(RECORD_FIELDS).sort(), shape, 'one entry per schema field')
  const base = makeRecord()
  const values: unknown[] = ['', 'text', 0, 7, -1, 1.5, Number.NaN, 2 ** 60, null, undefined, true, false, {}, [], 'success', 'nope']
  const random = prng(5)
  for (let i = 0; i < 2000; i++) {
    const record: Record<string, unknown> = { ...base }
    for (const field of shape) if (random() < 0.08) record[field] = values[Math.floor(random() * values.length)]
    if (random() < 0.1) delete record[shape[Math.floor(random() * shape.length)] as string]
    const schemaOk = transactionRecordSchema.safeParse(record).success && record.id !== '' && (record.requestInTs as number) >= 0
    let checkOk = true
    try { checkRecords([record as TransactionRecord]) } catch { checkOk = false }
    if (checkOk !== schemaOk) t.fail(`disagree on ${JSON.stringify(record)}`)
  }
  t.pass('2000 mutated records judged alike')
})
