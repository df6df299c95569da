// Load spread over worker threads: together they hold the total rate, and their results merge exactly.
import t from 'tap'
import { LatencyHistogram } from '../../cli/load/histogram.js'
import type { LoadOptions } from '../../cli/load/types.js'
import { runLoadInWorkers, runScenario } from '../../cli/load/workers.js'
import { startServer } from './servers.js'

// Workers run TypeScript source here, so each boots its own TypeScript loader: a few seconds on a busy
// machine. The file keeps to two spawns' worth of tests for that reason.
const compilerModule = new URL('./fixed-scenario.ts', import.meta.url)

function options (target: string, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {
    target,
    scenario: { kind: 'builtin', name: 'fixed', rate: 400, durationMs: 2_000, seed: 'test', workerIndex: 0, workerCount: 1 },
    model: { kind: 'open', maxInFlight: 200 },
    connections: 10,
    workers: 2,
    timeoutMs: 2_000,
    // A second of warm-up: each worker's first second (JIT compiling the client and parser) runs slow.
    warmupMs: 1_000,
    ...overrides,
  }
}

t.test('two workers at a combined 400 req/s hold the total rate, and their histograms add up', async (t) => {
  const server = await startServer(t)
  const result = await runLoadInWorkers(options(server.url), { compilerModule })
  t.equal(result.totals.sent, 800, 'each worker sent its 400')
  t.equal(result.totals.responses, 800)
  const inWindow = result.series.slice(0, 2).reduce((sum, p) => sum + p.sent, 0)
  t.ok(Math.abs(inWindow / 2 - 400) <= 8, `achieved ${inWindow / 2} req/s together, wanted 400 ± 2%`)
  const workers = result.generator.threads.filter((thread) => thread.thread !== 'main')
  t.same(workers.map((w) => w.thread), ['worker 1', 'worker 2'])
  t.same(workers.map((w) => w.sent), [400, 400])
  t.equal(result.corrected.count, workers.reduce((sum, w) => sum + w.responses, 0), 'the merged histogram holds every worker\'s samples')
  t.equal(result.uncorrected.count, 800)
  const decoded = LatencyHistogram.decode(result.corrected.histogram)
  t.equal(decoded.count, 800)
  decoded.destroy()
  t.equal(result.byLabel.fixed?.responses, 800, 'one label across both workers')
  t.equal(result.byKind['worker-0']?.latency.count, 400)
  t.equal(result.byKind['worker-1']?.latency.count, 400)
  t.equal(result.series.reduce((sum, p) => sum + p.completed, 0), 800, 'the merged time series counts every completion')
  const main = result.generator.threads.find((thread) => thread.thread === 'main')
  t.ok(main !== undefined && main.cpuShare !== null, 'the main thread reports the process CPU')
  t.equal(result.settings.workers, 2)
  t.match(result.settings.scenario, { name: 'fixed', rate: 400 })
})

t.test('a worker that cannot build its scenario fails the run with its message', async (t) => {
  const broken = options('http://127.0.0.1:9', { workers: 1, scenario: { kind: 'builtin', name: 'broken', durationMs: 1_000, seed: 'x', workerIndex: 0, workerCount: 1 } })
  await t.rejects(runLoadInWorkers(broken, { compilerModule }), /load worker 1 failed: no built-in scenario 'broken'/)
})

t.test('one worker runs in this thread', async (t) => {
  const server = await startServer(t)
  const result = await runScenario(options(server.url, { workers: 1, scenario: { kind: 'builtin', name: 'fixed', rate: 100, durationMs: 1_000, seed: 'x', workerIndex: 0, workerCount: 1 } }), { compilerModule })
  t.equal(result.totals.sent, 100)
  t.same(result.generator.threads.map((thread) => thread.thread), ['main'])
})
