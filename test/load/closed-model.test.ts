// The closed model: N clients in a loop, never more than N requests at the server, split by stream weight.
import t from 'tap'
import { splitByWeight } from '../../cli/load/closed-model.js'
import { runLoad } from '../../cli/load/engine.js'
import { fixedStream, startServer } from './servers.js'

t.test('8 concurrent clients never put more than 8 requests at the server', async (t) => {
  const server = await startServer(t, { delayMs: 5 })
  const result = await runLoad([fixedStream('heavy', undefined, { weight: 3 }), fixedStream('light', undefined, { weight: 1 })], {
    // More connections than clients: the limit must come from the engine, not from the pool.
    target: server.url, model: { kind: 'closed', concurrency: 8 }, connections: 32, timeoutMs: 2_000, durationMs: 1_500, warmupMs: 500,
  })
  const { peakConcurrent } = await server.stats()
  t.ok(peakConcurrent <= 8, `the server held at most ${peakConcurrent} at once`)
  t.ok(peakConcurrent >= 6, 'and the clients did run concurrently')
  const { heavy, light } = result.byLabel
  t.ok(heavy !== undefined && light !== undefined)
  // 6 clients against 2: with equal latencies, three times the requests.
  const ratio = (heavy?.responses ?? 0) / (light?.responses ?? 1)
  t.ok(ratio > 2.4 && ratio < 3.6, `heavy:light = ${ratio.toFixed(2)}, weights 3:1`)
  // Each client sends a request per 5 ms at best: at most 8 × 1500 / 5 in the window.
  t.ok(result.totals.responses > 100 && result.totals.responses <= 2_400 + 8, `${result.totals.responses} responses`)
  t.equal(result.totals.dropped, 0)
  t.equal(result.durationMs, 1_500)
  t.ok(result.corrected.p50 >= 5, `p50 ${result.corrected.p50} ms at least the server delay`)
})

t.test('clients are shared by weight with the largest remainder', async (t) => {
  t.same(splitByWeight([3, 1], 8), [6, 2])
  t.same(splitByWeight([1, 1, 1], 8), [3, 3, 2])
  t.same(splitByWeight([1, 0], 4), [4, 0])
  t.same(splitByWeight([2, 1], 1), [1, 0])
  t.throws(() => splitByWeight([0, 0], 4), /positive weight/)
})

t.test('the closed model needs a duration', async (t) => {
  await t.rejects(runLoad([fixedStream('x')], { target: 'http://127.0.0.1:9', model: { kind: 'closed', concurrency: 2 }, connections: 2, timeoutMs: 1_000 }), /durationMs/)
})
