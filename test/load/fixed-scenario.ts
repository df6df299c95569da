// A compileScenario stand-in for worker tests: one GET stream at the source's rate, this worker's share.
import type { CompiledScenario, PlannedRequest, ScenarioSource } from '../../cli/load/types.js'

export function compileScenario (source: ScenarioSource): CompiledScenario {
  if (source.name === 'broken') throw new RangeError(`no built-in scenario '${source.name}'`)
  const request: PlannedRequest = { method: 'GET', path: `/w${source.workerIndex}`, headers: {}, label: 'fixed', kind: `worker-${source.workerIndex}` }
  const rate = (source.rate ?? 100) / source.workerCount
  return { name: 'fixed', streams: [{ label: 'fixed', stages: [{ durationMs: source.durationMs, targetRate: rate }], next: () => request }] }
}
