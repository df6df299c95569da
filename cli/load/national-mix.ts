// The built-in `national-mix` scenario: every consumer agency of the default federation (registry/seed.json)
// calls what its grants allow — nothing else — with keys drawn from the same generated datasets the
// nodes serve, in proportions after the real system (population look-ups dominate), plus a share of
// writes and of well-formed keys that name nobody.
import { provinceIndexByCode, provinces } from '../../contracts/provinces.js'
import { endpointKey, formatClientId, formatServiceId } from '../../contracts/registry.js'
import { hashInts, hashString, Rng, WeightedTable } from '../../lgsp-node/data/hash.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { DEFAULT_DEV_SECRET, defaultSeed, type Seed } from '../../registry/seed.js'
import { datasetOf, DatasetDraws } from './data-draws.js'
import { vietnamToday } from '../../contracts/vietnam-time.js'
import { callPlans, nationalPools, type CallPlan } from './national-calls.js'
import { constantShape, DEFAULT_RATE, overrideShape, workerShare } from './rate-shape.js'
import type { CompiledScenario, PlannedRequest, ScenarioSource } from './types.js'

export const NATIONAL_MIX = 'national-mix'
/** Writes are rare next to look-ups; not-found answers are a few percent of look-ups (typos, stale references). */
export const nationalMixDefaults = { writeShare: 0.02, notFoundShare: 0.05 } as const
export type NationalMixOptions = { -readonly [K in keyof typeof nationalMixDefaults]: number }

/**
 * Traffic of each consumer agency relative to the others. Provinces' public-service systems scale with
 * their population (2019 census); the national portal, the insurance fund verifying its 98 million
 * insured and hospitals checking cards come next; back-office land and government-office flows are small.
 * With the endpoint weights in national-calls.ts and the default shares this gives about 71%
 * population, 12% civil status (births included), 9% insurance and 8% land.
 */
const agencyWeights: Readonly<Record<string, number>> = {
  'VN/GOV/000.00.00.G22/CONGDVCQG': 6,
  'VN/GOV/000.00.13.G12/CSDLBH': 5,
  'VN/GOV/000.00.00.G18/LGSP': 4,
  'VN/GOV/000.00.00.G15/HOTICH': 1.5,
  'VN/GOV/000.00.00.G10/CSDLDD': 0.5,
  'VN/GOV/000.00.00.G22/TTCDDH': 0.5,
}
/** The province each provincial People's Committee governs (its births are registered there). */
const provinceOfMember: Readonly<Record<string, string>> = { '000.00.00.H49': '022', '000.00.00.H57': '046', '000.00.00.H41': '040', '000.00.00.H56': '038' }

export interface MixEntry {
  readonly client: string
  readonly memberCode: string
  readonly service: string
  /** `METHOD /pattern`, as the grant and the service list it. */
  readonly endpoint: string
  readonly method: string
  /** /r1/<instance>/<class>/<member>/<subsystem>/<service>: the endpoint's path after the upstream path follows. */
  readonly hubPrefix: string
  readonly upstreamPath: string
  readonly plan: CallPlan
  /** Fraction of all requests. */
  readonly share: number
  readonly provinceIndex: number | undefined
}

function provinceIndexOf (memberCode: string): number | undefined {
  const code = provinceOfMember[memberCode]
  const index = code === undefined ? -1 : provinceIndexByCode[Number(code)] ?? -1
  return index < 0 ? undefined : index
}

function agencyWeight (client: string, memberCode: string, kind: string): number {
  const province = provinceIndexOf(memberCode)
  if (kind === 'province') {
    const people = province === undefined ? 1 : (provinces[province] as { populationMillions: number }).populationMillions
    return client.endsWith('/DVCTINH') ? people : people * 0.2
  }
  return agencyWeights[client] ?? 1
}

/** Every (agency, granted endpoint) pair the mix calls, with its share of all requests. Pure: tests check it against the grants. */
export function nationalMixEntries (seed: Seed, options: NationalMixOptions): MixEntry[] {
  const kinds = new Map(seed.members.map((m) => [m.code, m.kind]))
  const services = new Map(seed.services.map((s) => [`${s.memberCode}/${s.subsystemCode}/${s.serviceCode}`, s]))
  const raw: Array<Omit<MixEntry, 'share'> & { weight: number }> = []
  for (const grant of seed.grants) {
    const service = services.get(`${grant.service.memberCode}/${grant.service.subsystemCode}/${grant.service.serviceCode}`)
    if (service === undefined) continue
    const client = formatClientId(grant.client)
    const memberCode = grant.client.memberCode
    for (const endpoint of grant.endpoints ?? service.endpoints) {
      const plan = callPlans[endpointKey(endpoint)]
      if (plan === undefined) continue
      raw.push({
        client, memberCode, service: formatServiceId(grant.service), endpoint: endpointKey(endpoint), method: endpoint.method,
        hubPrefix: `/r1/${formatServiceId(grant.service)}`, upstreamPath: service.upstreamPath, plan,
        weight: agencyWeight(client, memberCode, kinds.get(memberCode) ?? 'ministry'), provinceIndex: provinceIndexOf(memberCode),
      })
    }
  }
  const reads = raw.filter((e) => !e.plan.write)
  const writes = raw.filter((e) => e.plan.write)
  const writeShare = writes.length === 0 ? 0 : reads.length === 0 ? 1 : options.writeShare
  // Reads: an agency's weight split over its endpoints. Writes: an endpoint's weight split over the agencies granted it.
  const readSum = (client: string): number => reads.filter((e) => e.client === client).reduce((sum, e) => sum + e.plan.weight, 0)
  const agencySum = (endpoint: string): number => writes.filter((e) => e.endpoint === endpoint).reduce((sum, e) => sum + e.weight, 0)
  const readWeights = reads.map((e) => e.weight * e.plan.weight / readSum(e.client))
  const writeWeights = writes.map((e) => e.plan.weight * e.weight / agencySum(e.endpoint))
  const total = (list: number[]): number => list.reduce((a, b) => a + b, 0)
  const entries = [
    ...reads.map((e, i) => ({ ...e, share: (1 - writeShare) * (readWeights[i] as number) / total(readWeights) })),
    ...writes.map((e, i) => ({ ...e, share: writeShare * (writeWeights[i] as number) / total(writeWeights) })),
  ]
  return entries.filter((e) => e.share > 0).map(({ weight: _weight, ...entry }) => entry)
}

export function nationalMixOptions (given: Readonly<Record<string, number>> = {}): NationalMixOptions {
  const options: NationalMixOptions = { ...nationalMixDefaults }
  for (const [name, value] of Object.entries(given)) {
    if (!(name in nationalMixDefaults)) throw new RangeError(`${NATIONAL_MIX} has no option ${name}; it has ${Object.keys(nationalMixDefaults).join(', ')}`)
    if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new RangeError(`${NATIONAL_MIX} option ${name} must be a share from 0 to 1, got ${value}`)
    options[name as keyof NationalMixOptions] = value
  }
  return options
}

/** One stream per worker: each request picks its agency and endpoint by share, so the total rate is exact. */
export function compileNationalMix (source: ScenarioSource, seed: Seed = defaultSeed()): CompiledScenario {
  const options = nationalMixOptions(source.options)
  const entries = nationalMixEntries(seed, options)
  if (entries.length === 0) throw new Error(`${NATIONAL_MIX}: the federation grants no endpoint this scenario knows how to call`)
  const devSecret = source.devSecret ?? DEFAULT_DEV_SECRET
  const keys = new Map<string, string>()
  for (const e of entries) if (!keys.has(e.memberCode)) keys.set(e.memberCode, deriveDevApiKey(devSecret, e.memberCode))
  // Headers are built once per entry and shared by its requests: the engine only reads them.
  const prepared = entries.map((entry) => ({
    entry,
    headers: Object.freeze({
      authorization: `Bearer ${keys.get(entry.memberCode) as string}`,
      'x-road-client': entry.client,
      ...(entry.method === 'GET' ? {} : { 'content-type': 'application/json' }),
    }),
  }))
  const base = hashString(source.seed)
  const rng = new Rng(hashInts(base, 0x10ad, source.workerIndex))
  const dataset = datasetOf(source.datasetSeed, source.population)
  const draws = new DatasetDraws(dataset, hashInts(base, 0x9001, source.workerIndex), source.today ?? vietnamToday(), source.workerIndex)
  for (const pool of nationalPools) draws.prepare(pool)
  const table = new WeightedTable(prepared.map((p) => [p, p.entry.share] as const))
  let sequence = 0
  const next = (): PlannedRequest => {
    const { entry, headers } = table.draw(rng)
    const missing = !entry.plan.write && rng.chance(options.notFoundShare)
    const call = entry.plan.build({ draws, rng, sequence: sequence++, provinceIndex: entry.provinceIndex }, missing)
    const request: PlannedRequest = {
      method: entry.method,
      path: entry.hubPrefix + call.path.slice(entry.upstreamPath.length),
      headers,
      label: entry.client,
      kind: missing ? `${entry.plan.kind}.not-found` : entry.plan.kind,
    }
    return call.body === undefined ? request : { ...request, body: JSON.stringify(call.body) }
  }
  const shape = overrideShape(source) ?? constantShape(DEFAULT_RATE, source.durationMs)
  return { name: NATIONAL_MIX, streams: [{ label: NATIONAL_MIX, ...workerShare(shape, source), next }] }
}
