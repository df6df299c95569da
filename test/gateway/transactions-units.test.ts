// The pieces under the transaction store: histogram buckets and encoding, cursors, how ranges are
// covered by rollups, and the fast record check agreeing with the contract's schema.
import t from 'tap'
import { transactionRecordSchema, type StatsDimension, type TransactionRecord } from '../../contracts/transaction.js'
import { decodeCursor, encodeCursor } from '../../gateway/transactions/cursor.js'
import {
  BUCKET_COUNT, HISTOGRAM_MAX_MS, OVERFLOW_BUCKET, RELATIVE_ERROR, addEncoded, bucketOf, bucketValue, emptyCounts, encode, encodeCounts, encodeOne, mergeEncoded, summarizeAndClear,
} from '../../gateway/transactions/histogram.js'
import { LEVEL_MS, segmentsFor, type Level } from '../../gateway/transactions/rollup.js'
import { StatsBuilder, type RollupRow } from '../../gateway/transactions/stats-builder.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, RECORD_FIELDS, checkRecords } from '../../gateway/transactions/store.js'
import { T0, makeRecord, prng } from './transaction-store-contract.js'

t.test('every latency from 0.05 ms to 300 s is reported within ±5%', async (t) => {
  t.equal(BUCKET_COUNT, 166, 'about 5% wide buckets from 0.05 ms to 300 s, plus under and over')
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

t.test('the sparse text encoding round-trips, merges by addition, and ignores garbage', async (t) => {
  const counts = emptyCounts()
  counts[0] = 1
  counts[31] = 31
  counts[32] = 32
  counts[OVERFLOW_BUCKET] = 2 ** 40
  const encoded = encode(counts)
  t.match(encoded, /^[0-o]+$/, 'ASCII digits only')
  t.equal(encode(emptyCounts()), '', 'an empty histogram takes no characters')
  const exchanges = [32, ...Array<number>(31).fill(31), ...Array<number>(31).fill(32), 0]
  const countsOf = (buckets: number[]): Map<number, number> => buckets.reduce((map, b) => map.set(b, (map.get(b) ?? 0) + 1), new Map<number, number>())
  t.equal(encodeCounts(countsOf(exchanges)), encode(counts.map((n, bucket) => bucket === OVERFLOW_BUCKET ? 0 : n)), 'the same text from a count per bucket')
  t.equal(encodeCounts(new Map([[7, 2], [3, 1]])), encodeOne(3, 1) + encodeOne(7, 2), 'buckets in any order')
  const back = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  addEncoded(back, encoded, span)
  t.strictSame([...back], [...counts])
  t.strictSame(span, [0, OVERFLOW_BUCKET])
  const merged = emptyCounts()
  addEncoded(merged, mergeEncoded(encoded, encodeOne(bucketOf(12), 1) + encodeOne(0, 2)), [BUCKET_COUNT, -1])
  t.strictSame([merged[0], merged[bucketOf(12)], merged[OVERFLOW_BUCKET]], [3, 1, 2 ** 40], 'merging adds')
  t.equal(mergeEncoded(encodeOne(5, 1) + encodeOne(5, 2), ''), encodeOne(5, 3), 'one pair per bucket after a merge')
  const concatenated = emptyCounts()
  addEncoded(concatenated, encodeOne(9, 1) + encodeOne(3, 4) + encodeOne(9, 2), [BUCKET_COUNT, -1])
  t.strictSame([concatenated[3], concatenated[9]], [4, 3], 'concatenated histograms are their sum')
  for (const garbage of ['\u0000', 'zz', 'oooo', '~', '5', '5P']) {
    const into = emptyCounts()
    addEncoded(into, garbage, [BUCKET_COUNT, -1])
    t.ok([...into].every((n) => Number.isFinite(n) && n >= 0), `${JSON.stringify(garbage)} decodes to nothing harmful`)
  }
})

t.test('percentiles are nearest-rank, clamped to the exact maximum, and the scratch is cleared', async (t) => {
  const counts = emptyCounts()
  const span: [number, number] = [BUCKET_COUNT, -1]
  addEncoded(counts, encodeOne(bucketOf(10), 98) + encodeOne(bucketOf(1000), 2), span)
  const summary = summarizeAndClear(counts, span, 100, 98 * 10 + 2 * 1000, 1003)
  t.ok(Math.abs(summary.p50 - 10) <= 10 * RELATIVE_ERROR)
  t.ok(Math.abs(summary.p99 - 1000) <= 1000 * RELATIVE_ERROR, 'the 99th of 100 is among the slow two')
  t.equal(summary.max, 1003)
  t.equal(summary.mean, 29.8)
  t.ok([...counts].every((n) => n === 0))
  t.strictSame(span, [BUCKET_COUNT, -1])
  addEncoded(counts, encodeOne(OVERFLOW_BUCKET, 1), span)
  t.equal(summarizeAndClear(counts, span, 1, 400_000, 400_000).p50, 300_000, 'beyond the last bucket: its lower bound')
})

t.test('cursors round-trip and nothing else decodes: not cut short, not edited, not from another kind of store', async (t) => {
  for (const position of [{ ts: 0, tie: 0 }, { ts: T0, tie: 12345 }, { ts: 8_640_000_000_000_000, tie: Number.MAX_SAFE_INTEGER }]) {
    const cursor = encodeCursor(position, 's')
    t.match(cursor, /^[A-Za-z0-9_-]+$/, 'base64url')
    t.strictSame(decodeCursor(cursor, 's'), position)
    t.throws(() => decodeCursor(cursor, 'r'), { code: 'client.bad_request' }, 'another store refuses it')
    for (let cut = 1; cut < cursor.length; cut++) {
      if (!t.throws(() => decodeCursor(cursor.slice(0, cut), 's'), { code: 'client.bad_request' }, `cut to ${cut}`)) break
    }
  }
  const edited = (text: string): string => Buffer.from(text).toString('base64url')
  const genuine = Buffer.from(encodeCursor({ ts: T0, tie: 780 }, 's'), 'base64url').toString()
  t.throws(() => decodeCursor(edited(genuine.replace('.780.', '.78.')), 's'), { code: 'client.bad_request' }, 'a changed position fails its check')
  t.throws(() => decodeCursor(edited(`c1.${T0}.780`), 's'), { code: 'client.bad_request' }, 'the earlier, unchecked format')
  t.throws(() => decodeCursor(`${encodeCursor({ ts: 1, tie: 2 }, 's')}=`, 's'), { code: 'client.bad_request' })
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

t.test('stats rows sort by start, then by the names of their values, however many values there are', async (t) => {
  const query = { from: T0, to: T0 + HOUR_MS, interval: 'total' as const, groupBy: ['client', 'service', 'provider', 'status', 'outcome'] as StatsDimension[] }
  // 1,700 distinct values in each of five dimensions: their ranks no longer fit one double.
  const n = 1700
  const order = Array.from({ length: n }, (_, i) => (i * 7919) % n)
  const builder = new StatsBuilder(query)
  builder.addRows(order.map((i): RollupRow => [T0, 1, 1, 5, 5, encodeOne(bucketOf(5), 1), `c${String(i).padStart(4, '0')}`, `s${i}`, `p${i}`, 200 + i, `o${i}`]))
  const rows = builder.build().rows
  t.equal(rows.length, n)
  t.ok(rows.every((row, i) => i === 0 || (rows[i - 1]?.client as string) < (row.client as string)), 'in client order')
  const small = new StatsBuilder({ ...query, interval: 'minute', groupBy: ['status', 'client'] }, true)
  small.addRows([[T0, 1, 1, 5, 5, '', 'b', 500], [T0, 1, 1, 5, 5, '', 'b', 404], [T0, 1, 1, 5, 5, '', 'a', 404], [T0 - 1, 1, 1, 5, 5, '', 'z', 200]])
  t.strictSame(small.build().rows.map((r) => [r.client, r.status]), [['z', 200], ['a', 404], ['b', 404], ['b', 500]], 'dimensions in the fixed order, statuses as numbers')
})
