// Latency as measured by the engine: a fixed server delay is reported as that delay, and a stalled
// server shows its stall in the corrected percentiles (no coordinated omission).
import t from 'tap'
import { runLoad } from '../../cli/load/engine.js'
import { LatencyHistogram } from '../../cli/load/histogram.js'
import { fixedStream, startServer } from './servers.js'

t.test('a server that answers after 20 ms is measured at about 20 ms, corrected and uncorrected', async (t) => {
  const server = await startServer(t, { delayMs: 20 })
  const result = await runLoad([fixedStream('delayed', [{ durationMs: 2_000, targetRate: 100 }])], {
    target: server.url, model: { kind: 'open', maxInFlight: 100 }, connections: 10, timeoutMs: 2_000, warmupMs: 1_000,
  })
  t.equal(result.totals.responses, 200)
  t.comment(`generator: ${JSON.stringify(result.generator.threads)}`)
  // Generous upper bound: a noisy shared machine adds its own delay; 20 ms is a floor the server enforces.
  for (const [name, summary] of [['corrected', result.corrected], ['uncorrected', result.uncorrected]] as const) {
    t.ok(summary.p50 >= 19 && summary.p50 <= 35, `${name} p50 ${summary.p50} ms`)
    t.ok(summary.min >= 19, `${name} min ${summary.min} ms: nothing faster than the delay`)
  }
  t.ok(result.corrected.p50 >= result.uncorrected.p50, 'measured from the due time, never less than from the send')
  const decoded = LatencyHistogram.decode(result.corrected.histogram)
  t.equal(decoded.count, 200, 'the encoded histogram carries every sample')
  decoded.destroy()
  t.equal(result.byLabel.delayed?.latency.count, 200)
  t.ok(result.series.filter((p) => p.p50 !== null).every((p) => (p.p50 as number) >= 19), 'per-second p50 at least the delay')
})

t.test('a one-second stall shows in the corrected percentiles, not only in a handful of samples', async (t) => {
  const server = await startServer(t)
  const rate = 200
  const stall = setTimeout(() => { void server.stall(1_000) }, 200 + 1_000)
  t.teardown(() => clearTimeout(stall))
  // Two connections: while the server stalls, the requests behind the two it holds wait in the pool's
  // queue, the way a connection-bound tool waits. They are still dispatched on schedule.
  const result = await runLoad([fixedStream('stalled', [{ durationMs: 3_000, targetRate: rate }])], {
    target: server.url, model: { kind: 'open', maxInFlight: 1_000 }, connections: 2, timeoutMs: 5_000, warmupMs: 200,
  })
  const { corrected, uncorrected, totals } = result
  t.equal(totals.sent, 600, 'the generator kept sending through the stall')
  t.equal(totals.responses, 600)
  t.ok((result.series[1]?.sent ?? 0) >= 190, `the stalled second still dispatched ${result.series[1]?.sent} requests`)
  // About 200 of 600 requests fall due during the stall and wait for its end: 0–1000 ms, spread evenly.
  // So a quarter of all requests wait ≥ 250 ms, a tenth ≥ 700 ms.
  t.ok(corrected.p99 >= 500, `corrected p99 ${corrected.p99} ms shows the stall`)
  t.ok(corrected.p90 >= 400, `corrected p90 ${corrected.p90} ms`)
  t.ok(corrected.p75 >= 150, `corrected p75 ${corrected.p75} ms`)
  // Measured from the moment each got a connection, only the two requests held by the server saw the
  // stall; the queued ones were written after it and answered at once. That is the omission.
  t.ok(uncorrected.p90 < 100, `uncorrected p90 ${uncorrected.p90} ms misses the stall`)
  t.ok(corrected.p90 > 4 * uncorrected.p90, 'correction changes the picture, not just the tail')
  t.ok(uncorrected.max >= 900, `uncorrected max ${uncorrected.max} ms: the held requests`)
  const stalled = result.series.find((p) => (p.p99 ?? 0) >= 500)
  t.ok(stalled !== undefined, 'the time series shows the stall in some second')
})
