// Spreads a run over worker threads (each compiles its share of the scenario) and merges their results.
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { threadModule } from '../../common/thread-module.js'
import { checkTarget, runLoad, runSettings, type EngineOptions, type ProgressPoint } from './engine.js'
import { emptyTally, type RunData } from './recorder.js'
import type { LoadResult } from './result-types.js'
import { startSelfMonitor } from './self-monitor.js'
import { summarize } from './summarize.js'
import type { LoadOptions } from './types.js'
import { loadCompiler, workerInput, type FromWorker } from './worker-protocol.js'

export interface RunControl {
  /** Stops every thread's sending; in-flight requests are awaited up to the timeout. */
  readonly signal?: AbortSignal
  /** About once a second: the counters of all threads added up. */
  readonly onProgress?: (point: ProgressPoint) => void
  readonly lateToleranceMs?: number
  /** Module exporting `compileScenario` (default `./scenario.js`): tests give streams of their own this way. */
  readonly compilerModule?: string | URL
}

/** Workers agree on a start this far ahead, so each has its schedule ready before time 0. */
const START_LEAD_MS = 100

// A test may hand the workers a scenario compiler written in TypeScript: keep the loader for it.
const workerModule = threadModule(import.meta.url, 'worker', { keepLoader: true })

function scenarioEcho (options: LoadOptions): NonNullable<EngineOptions['scenario']> {
  const { kind, name, rate, seed } = options.scenario
  return { kind, name, seed, ...(rate === undefined ? {} : { rate }) }
}

/** Runs the scenario: in this thread when `workers` ≤ 1, else over that many worker threads. */
export async function runScenario (options: LoadOptions, control: RunControl = {}): Promise<LoadResult> {
  checkTarget(options.target)
  if (options.workers > 1) return await runLoadInWorkers(options, control)
  const compile = await loadCompiler(control.compilerModule?.toString())
  const scenario = compile({ ...options.scenario, workerIndex: 0, workerCount: 1 })
  return await runLoad(scenario.streams, {
    target: options.target,
    model: options.model,
    connections: options.connections,
    timeoutMs: options.timeoutMs,
    warmupMs: options.warmupMs ?? 0,
    durationMs: options.scenario.durationMs,
    scenario: scenarioEcho(options),
    workers: 1,
    ...(control.lateToleranceMs === undefined ? {} : { lateToleranceMs: control.lateToleranceMs }),
    ...(control.signal === undefined ? {} : { signal: control.signal }),
    ...(control.onProgress === undefined ? {} : { onProgress: control.onProgress }),
  })
}

/** Runs `options.workers` worker threads, each with its share of the rate, and merges what they measured. */
export async function runLoadInWorkers (options: LoadOptions, control: RunControl = {}): Promise<LoadResult> {
  const count = Math.max(1, Math.floor(options.workers))
  if (options.model.kind === 'closed' && options.model.concurrency < count) {
    throw new RangeError(`concurrency ${options.model.concurrency} is less than workers ${count}: every worker needs at least one client`)
  }
  const monitor = startSelfMonitor('main', true)
  const extra = {
    ...(control.lateToleranceMs === undefined ? {} : { lateToleranceMs: control.lateToleranceMs }),
    ...(control.compilerModule === undefined ? {} : { compilerModule: control.compilerModule.toString() }),
  }
  const workers = Array.from({ length: count }, (_, i) => new Worker(workerModule.url, {
    workerData: workerInput(options, i, count, extra),
    execArgv: workerModule.execArgv,
  }))
  const latest: Array<ProgressPoint | undefined> = []
  const progress = control.onProgress === undefined ? undefined : setInterval(() => report(latest, control.onProgress), 1_000)
  const stopAll = (): void => { for (const w of workers) w.postMessage({ type: 'stop' }) }
  control.signal?.addEventListener('abort', stopAll, { once: true })
  try {
    let ready = 0
    const runs = await Promise.all(workers.map((worker, i) => new Promise<RunData>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          // Everyone starts together on one wall-clock instant, so the schedules and seconds line up.
          if (++ready === count) {
            const startAtEpochMs = performance.timeOrigin + performance.now() + START_LEAD_MS
            for (const w of workers) w.postMessage({ type: 'start', startAtEpochMs })
          }
        } else if (message.type === 'progress') latest[i] = message.point
        else if (message.type === 'done') resolve(message.data)
        else reject(new Error(`load worker ${i + 1} failed: ${message.message}`))
      })
      worker.once('error', (error) => reject(new Error(`load worker ${i + 1} crashed: ${error.message}`, { cause: error })))
      worker.once('exit', (code) => reject(new Error(`load worker ${i + 1} exited (code ${code}) before reporting`)))
    })))
    const settings = runSettings({
      target: options.target, model: options.model, connections: options.connections, timeoutMs: options.timeoutMs, warmupMs: options.warmupMs ?? 0,
      workers: count, scenario: scenarioEcho(options), ...(control.lateToleranceMs === undefined ? {} : { lateToleranceMs: control.lateToleranceMs }),
    })
    return summarize([...runs, mainThreadRun(runs, monitor.stop())], settings)
  } catch (error) {
    stopAll()
    throw error
  } finally {
    if (progress !== undefined) clearInterval(progress)
    control.signal?.removeEventListener('abort', stopAll)
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

function report (latest: ReadonlyArray<ProgressPoint | undefined>, onProgress: RunControl['onProgress']): void {
  const points = latest.filter((p): p is ProgressPoint => p !== undefined)
  if (points.length === 0 || onProgress === undefined) return
  const sum = (key: Exclude<keyof ProgressPoint, 'elapsedMs'>): number => points.reduce((total, p) => total + p[key], 0)
  onProgress({
    elapsedMs: Math.max(...points.map((p) => p.elapsedMs)),
    sent: sum('sent'), completed: sum('completed'), failed: sum('failed'), dropped: sum('dropped'), late: sum('late'), inFlight: sum('inFlight'),
  })
}

/** The main thread sends nothing; it joins the merge only to report its health (the process's CPU). */
function mainThreadRun (runs: readonly RunData[], health: RunData['health']): RunData {
  const first = runs[0] as RunData
  return {
    ...first,
    thread: 'main',
    totals: emptyTally(),
    corrected: '', uncorrected: '', sendLag: '', byLabel: {}, byKind: {}, series: [],
    health,
  }
}
