// The open model against a local server: the rate is held to within 2%, and ramps follow their integral.
import t from 'tap'
import { runLoad } from '../../cli/load/engine.js'
import { ArrivalSchedule } from '../../cli/load/schedule.js'
import { fixedStream, startServer } from './servers.js'

const within = (actual: number, expected: number, share: number): boolean => Math.abs(actual - expected) <= expected * share

t.test('500 req/s for 3 s: every due request is sent, and sent on time to within 2%', async (t) => {
  const server = await startServer(t)
  const stages = [{ durationMs: 3_000, targetRate: 500 }]
  const schedule = new ArrivalSchedule(stages)
  t.equal(schedule.total, 1_500, 'the schedule holds exactly rate × duration requests')
  let exact = true
  for (let k = 0; k < schedule.total; k++) if (Math.abs(schedule.timeAt(k) - k * 2) > 1e-9) exact = false
  t.ok(exact, 'request k is due at exactly k × 2 ms')

  const result = await runLoad([fixedStream('steady', stages)], {
    // A second of warm-up: the first second of a process (JIT compiling the client and parser) runs slow.
    target: server.url, model: { kind: 'open', maxInFlight: 200 }, connections: 20, timeoutMs: 2_000, warmupMs: 1_000,
  })
  t.equal(result.totals.sent + result.totals.dropped, 1_500, 'warm-up excluded, every due request accounted for')
  t.equal(result.totals.dropped, 0)
  t.equal(result.totals.responses, 1_500)
  t.equal(result.totals.status['2xx'], 1_500)
  t.equal(result.durationMs, 3_000)
  // Sends counted by the second they actually left in: the rate the target really saw.
  const inWindow = result.series.slice(0, 3).reduce((sum, p) => sum + p.sent, 0)
  t.ok(within(inWindow / 3, 500, 0.02), `achieved ${inWindow / 3} req/s, wanted 500 ± 2%`)
  for (const point of result.series.slice(0, 3)) t.ok(within(point.sent, 500, 0.05), `second ${point.second}: ${point.sent} sent`)
  t.ok(within(result.totals.rate, 500, 0.02), `responses per second ${result.totals.rate}`)
  t.equal((await server.stats()).received, 1_500 + 500, 'the server saw the warm-up too')
  t.equal(result.corrected.count, 1_500)
  t.equal(result.uncorrected.count, 1_500)
  t.same(Object.keys(result.byLabel), ['steady'])
  t.equal(result.byKind.fixed?.responses, 1_500)
})

t.test('a ramp 0→400 req/s over 2 s then 400 for 1 s: each phase carries its integral', async (t) => {
  const server = await startServer(t)
  const stages = [{ durationMs: 2_000, targetRate: 400 }, { durationMs: 1_000, targetRate: 400 }]
  const schedule = new ArrivalSchedule(stages, 0)
  t.equal(schedule.total, 800)
  t.equal(schedule.countAt(1_000), 100, 'the first second of the ramp: ∫₀¹ 200t dt')
  t.equal(schedule.countAt(2_000), 400)
  t.equal(schedule.timeAt(400), 2_000, 'the 401st request opens the flat phase')
  t.ok(Math.abs(schedule.timeAt(100) - 1_000) < 1e-9, 'request k is due at √(k/200) s during the ramp')

  const result = await runLoad([fixedStream('ramp', stages, { startRate: 0 })], {
    target: server.url, model: { kind: 'open', maxInFlight: 200 }, connections: 10, timeoutMs: 2_000,
  })
  t.equal(result.totals.sent, 800)
  const [s0, s1, s2] = result.series.map((p) => p.sent)
  t.ok(within((s0 ?? 0) + (s1 ?? 0), 400, 0.02), `ramp phase: ${(s0 ?? 0) + (s1 ?? 0)} sent, integral 400`)
  t.ok(within(s2 ?? 0, 400, 0.02), `flat phase: ${s2} sent, integral 400`)
  t.ok(within(s0 ?? 0, 100, 0.1), `the ramp's first second: ${s0}, integral 100`)
})
