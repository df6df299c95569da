// The JSON report of `ndxp load`: the whole LoadResult (histograms included, so percentiles can be
// recomputed later) plus the run's context and threshold verdicts; written whole or not at all.
import { rename, writeFile } from 'node:fs/promises'
import type { LoadResult } from './result-types.js'
import type { ThresholdOutcome } from './thresholds.js'

export interface JsonReport extends LoadResult {
  /** Bumped when a field changes meaning, so scripts comparing runs can tell. */
  readonly reportVersion: 1
  readonly askedRate?: number
  readonly thresholds: ReadonlyArray<{ readonly threshold: string, readonly actual: number, readonly passed: boolean, readonly message: string }>
}

export function jsonReport (result: LoadResult, context: { askedRate?: number, thresholds?: readonly ThresholdOutcome[] } = {}): JsonReport {
  return {
    reportVersion: 1,
    ...result,
    ...(context.askedRate === undefined ? {} : { askedRate: context.askedRate }),
    thresholds: (context.thresholds ?? []).map((o) => ({ threshold: o.threshold.source, actual: o.actual, passed: o.passed, message: o.message })),
  }
}

/** Writes beside the target and renames, so a reader never sees half a report. */
export async function writeJsonReport (file: string, report: JsonReport): Promise<void> {
  const partial = `${file}.${process.pid}.partial`
  await writeFile(partial, `${JSON.stringify(report, null, 2)}\n`, 'utf8')
  await rename(partial, file)
}
