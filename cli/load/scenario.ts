// compileScenario: turns a ScenarioSource (a built-in's name, or a user file's content) into this
// worker's request streams — pure and deterministic given the source's seed and worker index, each
// worker with its own random stream and 1/workerCount of every rate.
import { hashInts, hashString, Rng, WeightedTable } from '../../lgsp-node/data/hash.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { DEFAULT_DEV_SECRET } from '../../registry/seed.js'
import { datasetOf, DatasetDraws } from './data-draws.js'
import { vietnamToday } from '../../contracts/vietnam-time.js'
import { compileNationalMix, NATIONAL_MIX } from './national-mix.js'
import { validateScenarioContent } from './parse-scenario-file.js'
import { constantShape, meanRate, overrideShape, rampShape, workerShare, type RateShape } from './rate-shape.js'
import { agencyLabel, type ScenarioAgency, type ScenarioFile, type ScenarioRequest } from './scenario-file.js'
import { asIs, compileTemplate, encodeHeader, encodeJson, encodePath, poolsFor, RequestDraw, type Template } from './templates.js'
import type { CompiledScenario, PlannedRequest, RequestStream, ScenarioSource } from './types.js'

export const builtinScenarios = [NATIONAL_MIX] as const

export function compileScenario (source: ScenarioSource): CompiledScenario {
  if (source.kind === 'builtin') {
    if (source.name === NATIONAL_MIX) return compileNationalMix(source)
    throw new RangeError(`no built-in scenario '${source.name}'; built-ins: ${builtinScenarios.join(', ')} (or give a .yaml/.json file)`)
  }
  return compileFileScenario(source, validateScenarioContent(source.content, source.name))
}

interface CompiledRequest {
  readonly kind: string
  readonly method: string
  readonly path: Template
  readonly headers: ReadonlyArray<readonly [string, Template]>
  readonly body: Template | undefined
}

interface CompiledAgency {
  readonly label: string
  readonly fixedHeaders: Readonly<Record<string, string>>
  readonly requests: WeightedTable<CompiledRequest>
}

function compileRequest (request: ScenarioRequest, defaults: Record<string, string>): CompiledRequest {
  const headers = { ...defaults, ...request.headers }
  const json = request.body !== undefined && typeof request.body !== 'string'
  if (json && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json'
  return {
    kind: request.name ?? `${request.method} ${request.path.length > 60 ? `${request.path.slice(0, 59)}…` : request.path}`,
    method: request.method,
    path: compileTemplate(request.path, encodePath),
    headers: Object.entries(headers).map(([name, value]) => [name.toLowerCase(), compileTemplate(value, encodeHeader)] as const),
    body: request.body === undefined ? undefined : json ? compileTemplate(JSON.stringify(request.body), encodeJson) : compileTemplate(request.body as string, asIs),
  }
}

function agencyKey (agency: ScenarioAgency, devSecret: string): string {
  return agency.apiKey ?? deriveDevApiKey(devSecret, agency.devKey as string)
}

/** Every text a template may fill, to know which key pools to build up front. */
function templateTexts (file: ScenarioFile): string[] {
  const headerTexts = (h: Record<string, string> | undefined): string[] => Object.values(h ?? {})
  return [
    ...headerTexts(file.headers), ...file.agencies.flatMap((a) => headerTexts(a.headers)),
    ...file.requests.flatMap((r) => [r.path, ...headerTexts(r.headers), ...(r.body === undefined ? [] : [typeof r.body === 'string' ? r.body : JSON.stringify(r.body)])]),
  ]
}

function ownShape (agency: ScenarioAgency, durationMs: number): RateShape | undefined {
  if (agency.stages !== undefined) return rampShape(agency.stages.map((s) => ({ durationMs: s.duration, targetRate: s.rate })))
  return agency.rate === undefined ? undefined : constantShape(agency.rate, durationMs)
}

/**
 * Agencies with a rate of their own get a stream each; the others share one stream at the file's
 * rate, each request picking its agency by weight. A run-wide `--rate`/`--stages` replaces all of it
 * with one stream, agencies picked in proportion to the rates the file gave them.
 */
export function compileFileScenario (source: ScenarioSource, file: ScenarioFile): CompiledScenario {
  const durationMs = source.durationMs
  const base = hashString(source.seed)
  const dataset = datasetOf(source.datasetSeed, source.population)
  const draws = new DatasetDraws(dataset, hashInts(base, 0x9001, source.workerIndex), source.today ?? vietnamToday(), source.workerIndex)
  for (const pool of poolsFor(templateTexts(file))) draws.prepare(pool)
  const devSecret = source.devSecret ?? DEFAULT_DEV_SECRET
  const agencies = file.agencies.map((agency): CompiledAgency & { agency: ScenarioAgency } => {
    const label = agencyLabel(agency)
    const defaults = { ...file.headers, ...agency.headers }
    const mine = file.requests.filter((r) => r.agencies === undefined || r.agencies.includes(label))
    return {
      agency,
      label,
      fixedHeaders: Object.freeze({ authorization: `Bearer ${agencyKey(agency, devSecret)}`, 'x-road-client': agency.client }),
      requests: new WeightedTable(mine.map((r) => [compileRequest(r, defaults), r.weight] as const)),
    }
  })
  const fileShape = file.stages !== undefined
    ? rampShape(file.stages.map((s) => ({ durationMs: s.duration, targetRate: s.rate })))
    : file.rate === undefined ? undefined : constantShape(file.rate, durationMs)
  const weightOf = (a: ScenarioAgency): number => a.weight ?? 1
  const shared = agencies.filter((a) => ownShape(a.agency, durationMs) === undefined)
  const sharedWeight = shared.reduce((sum, a) => sum + weightOf(a.agency), 0)
  let streamIndex = 0
  const stream = (label: string, members: typeof agencies, weights: number[], shape: RateShape | undefined, closedWeight: number): RequestStream => {
    const index = streamIndex++
    const rng = new Rng(hashInts(base, 0x5c3a, source.workerIndex, index))
    const pick = new WeightedTable(members.map((a, i) => [a, weights[i] as number] as const))
    const streamPrefix = `${source.workerIndex}-${index}-`
    let sequence = 0
    const next = (): PlannedRequest => {
      const agency = members.length === 1 ? members[0] as CompiledAgency : pick.draw(rng)
      const request = agency.requests.draw(rng)
      const draw = new RequestDraw(draws, rng, streamPrefix, sequence++)
      // Requests are only read after this (formatted into bytes), so the agency's frozen headers serve
      // every request that adds none of its own.
      let headers = agency.fixedHeaders
      if (request.headers.length > 0) {
        const own: Record<string, string> = {}
        for (const [name, value] of request.headers) own[name] = value(draw)
        headers = Object.assign(own, agency.fixedHeaders)
      }
      const planned: PlannedRequest = { method: request.method, path: request.path(draw), headers, label: agency.label, kind: request.kind }
      return request.body === undefined ? planned : { ...planned, body: request.body(draw) }
    }
    return { label, weight: closedWeight, ...(shape === undefined ? {} : workerShare(shape, source)), next }
  }
  const override = overrideShape(source)
  if (override !== undefined) {
    // Proportions: the rates the file gives, or the weights when it gives none.
    const nominal = agencies.map((a) => {
      const own = ownShape(a.agency, durationMs)
      if (own !== undefined) return meanRate(own)
      return fileShape === undefined ? weightOf(a.agency) : meanRate(fileShape) * weightOf(a.agency) / sharedWeight
    })
    return { name: file.name ?? source.name, streams: [stream(file.name ?? 'scenario', agencies, nominal, override, 1)] }
  }
  const streams: RequestStream[] = []
  if (shared.length > 0) streams.push(stream(file.name ?? 'scenario', shared, shared.map((a) => weightOf(a.agency)), fileShape, sharedWeight))
  for (const a of agencies) {
    const own = ownShape(a.agency, durationMs)
    if (own !== undefined) streams.push(stream(a.label, [a], [1], own, weightOf(a.agency)))
  }
  return { name: file.name ?? source.name, streams }
}

/** Labels of streams that have no arrival schedule: the open model cannot run them without `--rate`/`--stages`. */
export function unscheduledStreams (scenario: CompiledScenario): string[] {
  return scenario.streams.filter((s) => s.stages === undefined || s.stages.length === 0).map((s) => s.label)
}
