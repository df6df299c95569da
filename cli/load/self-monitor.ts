// The generator watching itself: a saturated generator measures its own limits, not the target's.
import { availableParallelism } from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { GeneratorHealth, OutcomeCounts } from './result-types.js'

/** Above these the generator's numbers are suspect. */
export const LIMITS = {
  /** Share of a core (process CPU) or of the time (event-loop utilisation). */
  busy: 0.9,
  eventLoopDelayP99Ms: 10,
  /** Share of sends that left late. */
  late: 0.05,
}

const RESOLUTION_MS = 10

export interface SelfMonitor {
  stop: () => GeneratorHealth
}

/**
 * Starts measuring this thread. `process.cpuUsage()` counts every thread of the process (Node 20 has no
 * per-thread CPU clock), so only the thread that owns the process reports it (`withCpu`); each thread
 * reports its own event-loop utilisation and delay.
 */
export function startSelfMonitor (thread: string, withCpu: boolean): SelfMonitor {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  delay.enable()
  const cpuStart = process.cpuUsage()
  const wallStart = performance.now()
  const eluStart = performance.eventLoopUtilization()
  return {
    stop () {
      delay.disable()
      const wallMs = performance.now() - wallStart
      const cpu = process.cpuUsage(cpuStart)
      // The histogram holds whole intervals between its timer's runs: the delay is what exceeds the resolution.
      const ms = (ns: number): number => Math.max(0, Math.round(ns / 1000 - RESOLUTION_MS * 1000) / 1000)
      const health: GeneratorHealth = {
        thread,
        cpuShare: withCpu && wallMs > 0 ? round((cpu.user + cpu.system) / 1000 / wallMs) : null,
        eventLoopUtilization: round(performance.eventLoopUtilization(eluStart).utilization),
        eventLoopDelay: delay.count === 0
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      }
      return health
    },
  }
}

function round (x: number): number {
  return Math.round(x * 1000) / 1000
}

const percent = (x: number): string => `${Math.round(x * 100)}%`

/** Warnings for the report: each says what was seen and what to do about it. */
export function generatorWarnings (threads: readonly GeneratorHealth[], totals: OutcomeCounts, lateToleranceMs: number): string[] {
  const warnings: string[] = []
  const cores = availableParallelism()
  const workers = threads.filter((t) => t.thread !== 'main').length
  for (const t of threads) {
    if (t.cpuShare !== null) {
      const budget = workers > 0 ? Math.min(cores, workers + 1) : 1
      if (t.cpuShare > LIMITS.busy * budget) {
        warnings.push(`the generator used ${t.cpuShare.toFixed(2)} CPU cores (of ${budget} it can use): it may be the bottleneck; ${workers > 0 && workers + 1 >= cores ? 'run it on a bigger machine' : 'spread the load with --workers'}`)
      }
    }
    if (t.eventLoopUtilization > LIMITS.busy) {
      warnings.push(`${t.thread}: its event loop was busy ${percent(t.eventLoopUtilization)} of the time, so sends and responses waited for the generator; spread the load with --workers or lower the rate`)
    }
    if (t.eventLoopDelay.p99 > LIMITS.eventLoopDelayP99Ms) {
      warnings.push(`${t.thread}: event-loop delay p99 was ${t.eventLoopDelay.p99} ms (over ${LIMITS.eventLoopDelayP99Ms} ms): latencies include the generator's own delay`)
    }
  }
  if (totals.sent >= 20 && totals.late / totals.sent > LIMITS.late) {
    warnings.push(`${percent(totals.late / totals.sent)} of sends left more than ${lateToleranceMs} ms after their due time: the generator could not keep the schedule; spread the load with --workers or lower the rate`)
  }
  return warnings
}
