// Entry point of a load-generator worker thread: builds its share of the scenario, runs it, posts the data back.
import { parentPort, workerData } from 'node:worker_threads'
import { runThread } from './engine.js'
import type { CompiledScenario } from './types.js'
import { loadCompiler, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('worker.ts runs only as a worker thread (started by runLoadInWorkers)')
const input = workerData as WorkerInput
const controller = new AbortController()
const post = (message: FromWorker): void => port.postMessage(message)

function fail (error: unknown): void {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
}

async function run (scenario: CompiledScenario, startAtEpochMs: number): Promise<void> {
  const data = await runThread(scenario.streams, {
    ...input.engine,
    startAtEpochMs,
    signal: controller.signal,
    onProgress: (point) => post({ type: 'progress', point }),
  })
  post({ type: 'done', data })
}

let scenario: CompiledScenario | undefined
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') controller.abort()
  else if (scenario !== undefined) run(scenario, message.startAtEpochMs).catch(fail)
})

try {
  const compile = await loadCompiler(input.compilerModule)
  scenario = compile(input.source)
  post({ type: 'ready' })
} catch (error) {
  fail(error)
}
