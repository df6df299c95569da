// What the main thread and the load workers say to each other, and the shares each worker takes.
import type { EngineOptions, ProgressPoint } from './engine.js'
import type { RunData } from './recorder.js'
import type { compileScenario } from './scenario.js'
import type { LoadModel, LoadOptions, ScenarioSource } from './types.js'

export type CompileScenario = typeof compileScenario

/** The engine options a worker runs with: plain data only (no signal, no callbacks). */
export type WorkerEngineOptions = Omit<EngineOptions, 'signal' | 'onProgress' | 'startAtEpochMs'>

export interface WorkerInput {
  readonly source: ScenarioSource
  readonly engine: WorkerEngineOptions
  /** Module (URL) exporting `compileScenario`; default this folder's `scenario.js`. */
  readonly compilerModule?: string
}

export type ToWorker =
  | { readonly type: 'start', readonly startAtEpochMs: number }
  | { readonly type: 'stop' }

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'progress', readonly point: ProgressPoint }
  | { readonly type: 'done', readonly data: RunData }
  | { readonly type: 'failed', readonly message: string }

/** The i-th of n even shares of `total` (the first ones get the remainder). */
export function share (total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0)
}

function modelShare (model: LoadModel, index: number, count: number): LoadModel {
  if (model.kind === 'closed') return { kind: 'closed', concurrency: share(model.concurrency, index, count) }
  // Rounded up: the per-worker caps together never admit less than the run-wide one.
  return { kind: 'open', maxInFlight: Math.max(1, Math.ceil(model.maxInFlight / count)) }
}

/** Worker `index`'s part of a run: its share of the concurrency, of the connections, and (through the source) of the rate. */
export function workerInput (options: LoadOptions, index: number, count: number, extra: { lateToleranceMs?: number, compilerModule?: string }): WorkerInput {
  return {
    source: { ...options.scenario, workerIndex: index, workerCount: count },
    engine: {
      target: options.target,
      model: modelShare(options.model, index, count),
      connections: Math.max(1, share(options.connections, index, count)),
      timeoutMs: options.timeoutMs,
      warmupMs: options.warmupMs ?? 0,
      durationMs: options.scenario.durationMs,
      ...(extra.lateToleranceMs === undefined ? {} : { lateToleranceMs: extra.lateToleranceMs }),
      workers: count,
      thread: `worker ${index + 1}`,
    },
    ...(extra.compilerModule === undefined ? {} : { compilerModule: extra.compilerModule }),
  }
}

/** Loads `compileScenario` from `module`, or from the scenario module beside this file. */
export async function loadCompiler (module: string | undefined): Promise<CompileScenario> {
  // Imported lazily: the scenario modules pull in the national datasets, which tests with their own streams do not need.
  const loaded = (module === undefined ? await import('./scenario.js') : await import(module)) as { compileScenario?: unknown }
  if (typeof loaded.compileScenario !== 'function') throw new Error(`${module ?? './scenario.js'} does not export a compileScenario function`)
  return loaded.compileScenario as CompileScenario
}
