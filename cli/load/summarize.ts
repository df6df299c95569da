// Merges the threads' encoded results into one LoadResult: counters summed, histograms added.
import { LatencyHistogram, mergeEncoded, type LatencySummary } from './histogram.js'
import { addTally, emptyTally, type RunData, type Tally } from './recorder.js'
import type { Breakdown, LoadResult, OutcomeCounts, RunSettings, SeriesPoint } from './result-types.js'
import { generatorWarnings } from './self-monitor.js'

export function outcome (t: Tally): OutcomeCounts {
  const transport = t.timeout + t.refused + t.reset + t.otherErrors
  return {
    sent: t.sent,
    dropped: t.dropped,
    late: t.late,
    requests: t.responses + transport,
    responses: t.responses,
    status: { '2xx': t.s2xx, '3xx': t.s3xx, '4xx': t.s4xx, '429': t.s429, '5xx': t.s5xx, other: t.sOther },
    errors: { total: transport, timeout: t.timeout, refused: t.refused, reset: t.reset, other: t.otherErrors },
    failed: transport + t.s5xx,
  }
}

function summaryOf (encoded: ReadonlyArray<string | undefined>): LatencySummary {
  const merged = mergeEncoded(encoded)
  const summary = merged.summary()
  merged.destroy()
  return summary
}

function breakdowns (runs: readonly RunData[], pick: (run: RunData) => RunData['byLabel']): Record<string, Breakdown> {
  const names = new Set(runs.flatMap((run) => Object.keys(pick(run))))
  const out: Record<string, Breakdown> = {}
  for (const name of [...names].sort()) {
    const tally = emptyTally()
    const parts = runs.map((run) => pick(run)[name])
    for (const part of parts) if (part !== undefined) addTally(tally, part.tally)
    out[name] = { ...outcome(tally), latency: summaryOf(parts.map((part) => part?.latency)) }
  }
  return out
}

function series (runs: readonly RunData[]): SeriesPoint[] {
  const length = Math.max(0, ...runs.map((run) => run.series.length))
  const points: SeriesPoint[] = []
  for (let i = 0; i < length; i++) {
    const point = { second: i, sent: 0, dropped: 0, late: 0, completed: 0, failed: 0, status429: 0 }
    const histograms: string[] = []
    for (const run of runs) {
      const s = run.series[i]
      if (s === undefined) continue
      point.sent += s.sent; point.dropped += s.dropped; point.late += s.late
      point.completed += s.completed; point.failed += s.failed; point.status429 += s.s429
      if (s.histogram !== '') histograms.push(s.histogram)
    }
    let p50: number | null = null
    let p99: number | null = null
    if (histograms.length > 0) {
      const merged = histograms.length === 1 ? LatencyHistogram.decode(histograms[0] as string) : mergeEncoded(histograms)
      p50 = merged.percentileMicros(50) / 1000
      p99 = merged.percentileMicros(99) / 1000
      merged.destroy()
    }
    points.push({ ...point, p50, p99 })
  }
  return points
}

/** One result from every thread's data (one entry per worker, or a single one). */
export function summarize (runs: readonly RunData[], settings: RunSettings): LoadResult {
  if (runs.length === 0) throw new Error('summarize needs at least one thread\'s results')
  const tally = emptyTally()
  for (const run of runs) addTally(tally, run.totals)
  const durationMs = Math.max(...runs.map((run) => run.durationMs))
  const seconds = durationMs / 1000
  // A target that falls behind is still answering after the planned end: its answers came over
  // that longer time (to the last one; a request that never answered stretches nothing), and the
  // achieved rate is theirs over it, not over the plan.
  const lastAnswer = Math.max(...runs.map((run) => run.lastAnswerEpochMs))
  const answeringSeconds = Math.max(seconds, lastAnswer === 0 ? 0 : (lastAnswer - Math.min(...runs.map((run) => run.measureStartEpochMs))) / 1000)
  const totals = outcome(tally)
  const threads = runs.map((run) => ({ ...run.health, sent: run.totals.sent, responses: run.totals.responses }))
  return {
    startedAt: new Date(Math.min(...runs.map((run) => run.measureStartEpochMs))).toISOString(),
    endedAt: new Date(Math.max(...runs.map((run) => run.endEpochMs))).toISOString(),
    durationMs,
    aborted: runs.some((run) => run.aborted),
    settings,
    totals: { ...totals, rate: answeringSeconds > 0 ? totals.responses / answeringSeconds : 0, sendRate: seconds > 0 ? totals.sent / seconds : 0 },
    corrected: summaryOf(runs.map((run) => run.corrected)),
    uncorrected: summaryOf(runs.map((run) => run.uncorrected)),
    byLabel: breakdowns(runs, (run) => run.byLabel),
    byKind: breakdowns(runs, (run) => run.byKind),
    series: series(runs),
    generator: {
      threads,
      sendLag: summaryOf(runs.map((run) => run.sendLag)),
      warnings: generatorWarnings(threads, totals, settings.lateToleranceMs),
    },
  }
}
