// The flags of `ndxp load`, checked and turned into the engine's LoadOptions: every mistake is a
// UsageError naming the flag and what it accepts (exit code 2, before anything is sent).
import { parseArgs } from 'node:util'
import { loadSettings } from '../common/config.js'
import { UsageError } from './command-io.js'
import { parseDuration, parseRate, parseStages, totalMs } from './load/durations.js'
import { nationalMixDefaults, nationalMixOptions, NATIONAL_MIX } from './load/national-mix.js'
import { readScenarioFile } from './load/parse-scenario-file.js'
import { constantShape, DEFAULT_RATE, meanRate, overrideShape, rampShape, type RateShape } from './load/rate-shape.js'
import type { ScenarioFile } from './load/scenario-file.js'
import { parseThresholds, type Threshold } from './load/thresholds.js'
import type { LoadModel, LoadOptions, ScenarioSource } from './load/types.js'
import { vietnamToday } from '../contracts/vietnam-time.js'

export const loadUsage = `usage: ndxp load [options]

  --target <url>          the hub (default NDXP_HUB_URL, else http://<NDXP_HOST>:<NDXP_HUB_PORT>)
  --scenario <name|file>  ${NATIONAL_MIX} (default), or a scenario file (.yaml, .yml or .json)
  --rate <n>              requests per second in all (open model; default ${DEFAULT_RATE} for ${NATIONAL_MIX})
  --stages <list>         ramps instead of one rate, e.g. '30s:100,1m:500' (from 0 to 100/s in 30 s, then to 500/s)
  --duration <d>          how long to measure, e.g. 30s, 2m (default 30s; stages set their own)
  --concurrency <n>       closed model: n clients, each sending its next request when the last is answered
  --connections <n>       HTTP connections to the target (default 64, or the concurrency)
  --max-in-flight <n>     open model: requests due while n are unanswered are dropped (default 10000)
  --workers <n>           generator threads (default 1); each sends its share
  --timeout <d>           per request (default 10s)
  --warmup <d>            run this long first without measuring (default 0)
  --threshold <expr>      pass/fail, repeatable: p99<50ms, errors<1%, 429s<=10, rate>=90, dropped==0
  --json <file>           write the whole result as JSON
  --html <file>           write a self-contained HTML report with charts
  --seed <text>           seed of the request sequence (default ndxp-load): the same seed sends the same requests
  --dataset-seed <text>   the federation's data seed (default NDXP_DATASET_SEED), so drawn keys exist
  --population <n>        the federation's population (default NDXP_POPULATION)
  --write-share <0-1>     ${NATIONAL_MIX}: share of writes (default ${nationalMixDefaults.writeShare})
  --not-found-share <0-1> ${NATIONAL_MIX}: share of look-ups of keys nobody holds (default ${nationalMixDefaults.notFoundShare})
  --quiet                 no live progress

exit code: 0 run done and thresholds passed, 1 a threshold failed, 2 bad usage, 3 the run could not be made`

export interface LoadPlan {
  readonly options: LoadOptions
  readonly thresholds: readonly Threshold[]
  readonly askedRate: number | undefined
  readonly jsonFile: string | undefined
  readonly htmlFile: string | undefined
  readonly quiet: boolean
}

const flags = {
  target: { type: 'string' }, scenario: { type: 'string' }, rate: { type: 'string' }, stages: { type: 'string' }, duration: { type: 'string' },
  concurrency: { type: 'string' }, connections: { type: 'string' }, 'max-in-flight': { type: 'string' }, workers: { type: 'string' },
  timeout: { type: 'string' }, warmup: { type: 'string' }, threshold: { type: 'string', multiple: true }, json: { type: 'string' }, html: { type: 'string' },
  seed: { type: 'string' }, 'dataset-seed': { type: 'string' }, population: { type: 'string' }, 'write-share': { type: 'string' },
  'not-found-share': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const

function count (text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max}; got '${text}'`)
  return n
}

/** Checked here rather than by zod errors deep in a worker: each becomes one clear usage line. */
function usage<T> (parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message)
    throw error
  }
}

/** The shapes the streams will run, to tell the asked rate (a file's agencies may each have their own). */
function plannedShapes (override: RateShape | undefined, file: ScenarioFile | undefined, durationMs: number): RateShape[] {
  if (override !== undefined) return [override]
  if (file === undefined) return [constantShape(DEFAULT_RATE, durationMs)]
  const own = file.agencies.flatMap((a) => a.stages !== undefined
    ? [rampShape(a.stages.map((s) => ({ durationMs: s.duration, targetRate: s.rate })))]
    : a.rate === undefined ? [] : [constantShape(a.rate, durationMs)])
  const shared = file.agencies.some((a) => a.rate === undefined && a.stages === undefined)
  const fileShape = file.stages !== undefined ? rampShape(file.stages.map((s) => ({ durationMs: s.duration, targetRate: s.rate }))) : file.rate === undefined ? undefined : constantShape(file.rate, durationMs)
  return [...(shared && fileShape !== undefined ? [fileShape] : []), ...own]
}

/** Requests all shapes ask for, over the longest of them. */
function askedRateOf (shapes: readonly RateShape[]): number | undefined {
  const length = Math.max(0, ...shapes.map((s) => totalMs(s.stages)))
  if (shapes.length === 0 || length === 0) return undefined
  return shapes.reduce((sum, s) => sum + meanRate(s) * totalMs(s.stages), 0) / length
}

export async function parseLoadArgs (args: string[], env: Record<string, string | undefined>, now: () => number): Promise<LoadPlan | 'help'> {
  const { values: v } = parseArgs({ args, options: flags, strict: true, allowPositionals: false })
  if (v.help === true) return 'help'
  const settings = usage(() => loadSettings(env, {
    ...(v['dataset-seed'] === undefined ? {} : { NDXP_DATASET_SEED: v['dataset-seed'] }),
    ...(v.population === undefined ? {} : { NDXP_POPULATION: v.population }),
  }))
  const target = v.target ?? settings.NDXP_HUB_URL ?? `http://${settings.NDXP_HOST}:${settings.NDXP_HUB_PORT}`
  if (!/^https?:\/\/[^/?#]+\/?$/.test(target) || !URL.canParse(target)) throw new UsageError(`--target must be an http(s) origin like http://127.0.0.1:8080 (no path); got '${target}'`)
  if (v.rate !== undefined && v.stages !== undefined) throw new UsageError('give --rate or --stages, not both')
  if (v.stages !== undefined && v.duration !== undefined) throw new UsageError('--stages set the duration already; leave out --duration')
  if (v.concurrency !== undefined && (v.rate !== undefined || v.stages !== undefined)) throw new UsageError('--concurrency (closed model) sends as fast as answers come back: leave out --rate and --stages')
  const rate = v.rate === undefined ? undefined : usage(() => parseRate(v.rate as string, '--rate'))
  const stages = v.stages === undefined ? undefined : usage(() => parseStages(v.stages as string))
  const scenarioName = v.scenario ?? NATIONAL_MIX
  const builtin = scenarioName === NATIONAL_MIX
  if (!builtin && !/\.(ya?ml|json)$/i.test(scenarioName)) throw new UsageError(`--scenario must be ${NATIONAL_MIX} or a .yaml/.yml/.json file; got '${scenarioName}'`)
  if (!builtin && (v['write-share'] !== undefined || v['not-found-share'] !== undefined)) throw new UsageError(`--write-share and --not-found-share tune ${NATIONAL_MIX}; a scenario file sets its own requests`)
  const mixOptions: Record<string, number> = {}
  if (v['write-share'] !== undefined) mixOptions.writeShare = Number(v['write-share'])
  if (v['not-found-share'] !== undefined) mixOptions.notFoundShare = Number(v['not-found-share'])
  usage(() => nationalMixOptions(mixOptions))
  // A file is read and checked here, in the main thread, where its errors can name lines.
  const parsed = builtin ? undefined : await readScenarioFile(scenarioName)
  const file = parsed?.scenario
  const fileLength = file?.duration ?? (file?.stages === undefined ? undefined : file.stages.reduce((sum, s) => sum + s.duration, 0))
  const durationMs = stages !== undefined ? totalMs(stages) : v.duration !== undefined ? usage(() => parseDuration(v.duration as string, '--duration')) : fileLength ?? 30_000
  const concurrency = v.concurrency === undefined ? undefined : count(v.concurrency, 'concurrency', 0, 100_000)
  const model: LoadModel = concurrency === undefined
    ? { kind: 'open', maxInFlight: count(v['max-in-flight'], 'max-in-flight', 10_000, 1_000_000) }
    : { kind: 'closed', concurrency }
  const source: ScenarioSource = {
    kind: builtin ? 'builtin' : 'file',
    name: scenarioName,
    ...(parsed === undefined ? {} : { content: parsed.content }),
    ...(rate === undefined ? {} : { rate }),
    ...(stages === undefined ? {} : { stages }),
    durationMs,
    seed: v.seed ?? 'ndxp-load',
    devSecret: settings.NDXP_DEV_SECRET,
    datasetSeed: settings.NDXP_DATASET_SEED,
    population: settings.NDXP_POPULATION,
    today: vietnamToday(new Date(now())),
    ...(Object.keys(mixOptions).length === 0 ? {} : { options: mixOptions }),
    workerIndex: 0,
    workerCount: 1,
  }
  const override = overrideShape(source)
  const shapes = plannedShapes(override, file, durationMs)
  if (model.kind === 'open' && file !== undefined && override === undefined) {
    const unscheduled = file.agencies.filter((a) => a.rate === undefined && a.stages === undefined)
    if (unscheduled.length > 0 && file.rate === undefined && file.stages === undefined) {
      throw new UsageError(`${scenarioName} gives no rate for agency '${unscheduled[0]?.label ?? unscheduled[0]?.client}': give the scenario (or that agency) a rate or stages, pass --rate or --stages, or use --concurrency`)
    }
  }
  const workers = count(v.workers, 'workers', 1, 64)
  if (model.kind === 'closed' && model.concurrency < workers) throw new UsageError(`--concurrency ${model.concurrency} is less than --workers ${workers}: every worker needs at least one client`)
  const thresholds = usage(() => { try { return parseThresholds(v.threshold ?? []) } catch (error) { throw new RangeError((error as Error).message) } })
  return {
    options: {
      target: target.replace(/\/$/, ''),
      scenario: source,
      model,
      connections: count(v.connections, 'connections', model.kind === 'closed' ? model.concurrency : 64, 10_000),
      workers,
      timeoutMs: v.timeout === undefined ? 10_000 : usage(() => parseDuration(v.timeout as string, '--timeout')),
      ...(v.warmup === undefined ? {} : { warmupMs: usage(() => parseDuration(v.warmup as string, '--warmup', { allowZero: true })) }),
    },
    thresholds,
    askedRate: model.kind === 'open' ? askedRateOf(shapes) : undefined,
    jsonFile: v.json,
    htmlFile: v.html,
    quiet: v.quiet === true,
  }
}
