// The latency histogram wrapper: microsecond values, clamped range, and a lossless trip through encoding.
import t from 'tap'
import { LatencyHistogram, mergeEncoded } from '../../cli/load/histogram.js'

t.test('records milliseconds at microsecond resolution and summarises in milliseconds', async (t) => {
  const h = LatencyHistogram.create()
  t.teardown(() => h.destroy())
  for (let i = 1; i <= 1_000; i++) h.recordMillis(i)
  const s = h.summary()
  t.equal(s.count, 1_000)
  t.ok(Math.abs(s.p50 - 500) <= 0.5, `p50 ${s.p50}`)
  t.ok(Math.abs(s.p99 - 990) <= 1, `p99 ${s.p99}`)
  t.ok(Math.abs(s.max - 1_000) <= 1, `max ${s.max}`)
  t.ok(Math.abs(s.mean - 500.5) <= 0.5, `mean ${s.mean}`)
  t.equal(s.min, 1)
})

t.test('values outside 1 µs..1 h are clamped, never thrown', async (t) => {
  const h = LatencyHistogram.create()
  t.teardown(() => h.destroy())
  h.recordMicros(-5)
  h.recordMicros(0)
  h.recordMillis(10 * 3_600_000)
  h.recordMicros(Number.MAX_SAFE_INTEGER)
  t.equal(h.count, 4)
  t.ok(h.percentileMicros(100) >= 3_600_000_000)
  t.equal(h.percentileMicros(1), 1)
})

t.test('encoded histograms decode to the same counts and merge by adding', async (t) => {
  const a = LatencyHistogram.create()
  const b = LatencyHistogram.create()
  for (let i = 0; i < 300; i++) a.recordMillis(10)
  for (let i = 0; i < 100; i++) b.recordMillis(1_000)
  const encoded = [a.encode(), b.encode()]
  a.destroy()
  b.destroy()
  const back = LatencyHistogram.decode(encoded[0] as string)
  t.equal(back.count, 300)
  back.destroy()
  const merged = mergeEncoded([...encoded, undefined, ''])
  t.equal(merged.count, 400)
  t.ok(Math.abs(merged.percentileMicros(50) - 10_000) <= 10)
  t.ok(Math.abs(merged.percentileMicros(90) - 1_000_000) <= 1_000)
  merged.destroy()
  const empty = LatencyHistogram.create()
  t.match(empty.summary(), { count: 0, p50: 0, max: 0, min: 0, mean: 0 })
  empty.destroy()
  t.throws(() => LatencyHistogram.decode('not a histogram'))
})
