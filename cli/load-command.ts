// `ndxp load`: runs a scenario against the hub (open or closed model, one thread or several), shows
// live progress, prints the final table, writes the JSON and HTML reports, and judges thresholds.
import { isUsageError, processIo, type CommandIo } from './command-io.js'
import { loadUsage, parseLoadArgs, type LoadPlan } from './load-options.js'
import { checkTarget } from './load/engine.js'
import { ScenarioFileError } from './load/parse-scenario-file.js'
import { createProgress } from './load/progress.js'
import { probe } from './load/raw-http.js'
import { htmlReport, writeHtmlReport } from './load/report-html.js'
import { jsonReport, writeJsonReport } from './load/report-json.js'
import { formatReport } from './load/report-table.js'
import type { LoadResult } from './load/result-types.js'
import { evaluateThresholds, thresholdsPassed } from './load/thresholds.js'
import { runScenario } from './load/workers.js'

export const EXIT_PASSED = 0
export const EXIT_THRESHOLDS_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_RUN_FAILED = 3

/**
 * One request before the run: a target that refuses connections would otherwise produce a report of
 * nothing but errors. Any HTTP answer will do; only a transport failure stops the run.
 */
async function reachable (target: string, timeoutMs: number): Promise<string | undefined> {
  try {
    await probe(target, '/healthz', timeoutMs)
    return undefined
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message
  }
}

async function run (plan: LoadPlan, io: CommandIo, signal: AbortSignal): Promise<LoadResult> {
  const progress = plan.quiet || io.progress === undefined ? undefined : createProgress(io.progress)
  try {
    return await runScenario(plan.options, { signal, ...(progress === undefined ? {} : { onProgress: (point) => progress.update(point) }) })
  } finally {
    progress?.done()
  }
}

/** Runs the command; resolves to the exit code. `signal` stops the run early (the report is still printed). */
export async function loadCommand (args: string[], io: CommandIo = processIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  let plan: LoadPlan | 'help'
  try {
    plan = await parseLoadArgs(args, io.env, io.now)
  } catch (error) {
    if (error instanceof ScenarioFileError) {
      io.err(`ndxp load: ${error.message}`)
      return EXIT_USAGE
    }
    if (isUsageError(error)) {
      io.err(`ndxp load: ${(error as Error).message}\n\n${loadUsage}`)
      return EXIT_USAGE
    }
    throw error
  }
  if (plan === 'help') {
    io.out(loadUsage)
    return EXIT_PASSED
  }
  try {
    checkTarget(plan.options.target)
  } catch (error) {
    io.err(`ndxp load: ${(error as Error).message}`)
    return EXIT_USAGE
  }
  const unreachable = await reachable(plan.options.target, Math.min(plan.options.timeoutMs, 5_000))
  if (unreachable !== undefined) {
    io.err(`ndxp load: cannot reach ${plan.options.target} (${unreachable}): start the federation with 'ndxp up', or pass --target <url>`)
    return EXIT_RUN_FAILED
  }
  let result: LoadResult
  try {
    result = await run(plan, io, signal)
  } catch (error) {
    io.err(`ndxp load: the run failed: ${(error as Error).message}`)
    return EXIT_RUN_FAILED
  }
  const outcomes = evaluateThresholds(plan.thresholds, result)
  const context = { ...(plan.askedRate === undefined ? {} : { askedRate: plan.askedRate }), thresholds: outcomes }
  io.out(formatReport(result, context))
  try {
    if (plan.jsonFile !== undefined) await writeJsonReport(plan.jsonFile, jsonReport(result, context))
    if (plan.htmlFile !== undefined) await writeHtmlReport(plan.htmlFile, htmlReport(result, context))
  } catch (error) {
    io.err(`ndxp load: could not write a report: ${(error as Error).message}`)
    return EXIT_RUN_FAILED
  }
  return thresholdsPassed(outcomes) ? EXIT_PASSED : EXIT_THRESHOLDS_FAILED
}

/** The process entry: Ctrl-C once stops the run and still reports; twice quits at once. */
export async function runLoadCommand (args: string[]): Promise<void> {
  const controller = new AbortController()
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130)
    process.stderr.write('\nndxp load: stopping (Ctrl-C again to quit at once)…\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  try {
    process.exitCode = await loadCommand(args, processIo, controller.signal)
  } finally {
    process.off('SIGINT', onSignal)
  }
}
