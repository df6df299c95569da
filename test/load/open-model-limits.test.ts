// The open model at its limits: a full in-flight window drops sends instead of delaying them, an abort
// stops at once and awaits what is in flight, and a failing stream fails the run.
import t from 'tap'
import { runLoad } from '../../cli/load/engine.js'
import { fixedStream, startServer } from './servers.js'

t.test('sends that find maxInFlight requests in flight are dropped, not delayed', async (t) => {
  const server = await startServer(t, { silent: true })
  const result = await runLoad([fixedStream('stuck', [{ durationMs: 1_000, targetRate: 200 }])], {
    target: server.url, model: { kind: 'open', maxInFlight: 10 }, connections: 10, timeoutMs: 400,
  })
  const { sent, dropped, errors, responses } = result.totals
  t.equal(sent + dropped, 200, 'every due request is either sent or dropped')
  t.equal(responses, 0)
  t.equal(errors.timeout, sent, 'every sent request timed out')
  // The window of 10 refills only as requests time out (at 400 ms): about 30 sent in the second.
  t.ok(sent >= 10 && sent <= 40, `${sent} sent`)
  t.ok(dropped >= 160, `${dropped} dropped`)
  t.equal(result.totals.failed, sent, 'timeouts count as failures')
  const { peakConcurrent } = await server.stats()
  t.ok(peakConcurrent <= 10, `the server never held more than 10 (held ${peakConcurrent})`)
  t.equal(result.byLabel.stuck?.dropped, dropped)
  t.equal(result.series.reduce((sum, p) => sum + p.dropped, 0), dropped, 'drops appear in the time series')
})

t.test('an abort stops sending at once and waits for what is in flight', async (t) => {
  const server = await startServer(t, { delayMs: 50 })
  const controller = new AbortController()
  let stopping: NodeJS.Timeout | undefined
  const result = await runLoad([fixedStream('long', [{ durationMs: 10_000, targetRate: 200 }])], {
    target: server.url, model: { kind: 'open', maxInFlight: 100 }, connections: 20, timeoutMs: 2_000, signal: controller.signal,
    // Aborts once sending is under way, however long the process took to get there.
    onProgress: (point) => { if (point.sent > 0) stopping ??= setTimeout(() => controller.abort(), 500) },
  })
  t.ok(result.aborted)
  t.ok(result.durationMs < 3_000, `measured for ${result.durationMs} ms of the planned 10 s`)
  t.ok(result.totals.sent > 100 && result.totals.sent < 600, `${result.totals.sent} sent`)
  t.equal(result.totals.responses, result.totals.sent, 'every request in flight at the stop was awaited and answered')
  t.equal(result.totals.errors.total, 0)
  t.equal((await server.stats()).received, result.totals.sent, 'nothing sent after the stop')
})

t.test('a stream whose next() throws fails the run with that error, leaving nothing running', async (t) => {
  const server = await startServer(t)
  const stream = fixedStream('flaky', [{ durationMs: 2_000, targetRate: 100 }])
  let calls = 0
  const broken = { ...stream, next: () => { if (++calls === 20) throw new Error('scenario bug'); return stream.next() } }
  await t.rejects(runLoad([broken], { target: server.url, model: { kind: 'open', maxInFlight: 10 }, connections: 2, timeoutMs: 1_000 }), /scenario bug/)
  t.equal(calls, 20, 'no request was asked for after the failure')
})
