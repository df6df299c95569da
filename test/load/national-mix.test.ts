// The built-in national mix: only calls the seed's grants allow, keys that exist in the nodes' data
// (spot-checked through real node apps), not-found keys that really answer 404, writes the nodes
// accept, realistic proportions, and request sequences deterministic per seed and distinct per worker.
import t from 'tap'
import { compilePattern, firstMatch, splitPath } from '../../gateway/path-pattern.js'
import { formatClientId, formatServiceId } from '../../contracts/registry.js'
import { nationalMixEntries, nationalMixDefaults } from '../../cli/load/national-mix.js'
import { compileScenario } from '../../cli/load/scenario.js'
import type { PlannedRequest, ScenarioSource } from '../../cli/load/types.js'
import { civilRecordsService, createBirthsService } from '../../lgsp-node/services/civil-status/index.js'
import { healthCardService, insuranceService } from '../../lgsp-node/services/insurance/index.js'
import { certificatesService, parcelsService } from '../../lgsp-node/services/land/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import type { ZodApp } from '../../lgsp-node/service.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { DEFAULT_DEV_SECRET, defaultSeed } from '../../registry/seed.js'
import { startNode } from '../helpers/node-app.js'

const seed = defaultSeed()
const services = new Map(seed.services.map((s) => [`${seed.instance}/GOV/${s.memberCode}/${s.subsystemCode}/${s.serviceCode}`, s]))

function mix (overrides: Partial<ScenarioSource> = {}): ScenarioSource {
  return { kind: 'builtin', name: 'national-mix', durationMs: 10_000, seed: 'mix-test', workerIndex: 0, workerCount: 1, rate: 100, ...overrides }
}

function take (source: ScenarioSource, count: number): PlannedRequest[] {
  const stream = compileScenario(source).streams[0]
  if (stream === undefined) throw new Error('no stream')
  return Array.from({ length: count }, () => stream.next())
}

/** The service a hub path names, and the path the node sees (the service's upstream path + the rest). */
function route (request: PlannedRequest): { serviceId: string, nodeId: string, nodePath: string } {
  const [, , instance, memberClass, member, subsystem, code, ...rest] = request.path.split('/')
  const serviceId = `${instance}/${memberClass}/${member}/${subsystem}/${code}`
  const service = services.get(serviceId)
  if (service === undefined) throw new Error(`no service ${serviceId}`)
  return { serviceId, nodeId: service.nodeId, nodePath: `${service.upstreamPath}${rest.length === 0 ? '' : `/${rest.join('/')}`}` }
}

/** As the hub decides: the service's first endpoint matching the call, then a grant of it to the client. */
function granted (request: PlannedRequest): boolean {
  const { serviceId, nodePath } = route(request)
  const service = services.get(serviceId)
  const segments = splitPath(nodePath)
  if (service === undefined || segments === undefined) return false
  const endpoint = firstMatch(service.endpoints.map((e) => compilePattern(e.method, e.path)), request.method, segments)
  if (endpoint === undefined) return false
  return seed.grants.some((g) => formatClientId(g.client) === request.headers['x-road-client'] && formatServiceId(g.service) === serviceId &&
    (g.endpoints === undefined || g.endpoints.some((e) => e.method === endpoint.method && e.path === endpoint.pattern)))
}

t.test('every entry of the mix is a granted endpoint, and every granted endpoint it knows is in the mix', async (t) => {
  const entries = nationalMixEntries(seed, { ...nationalMixDefaults })
  const total = entries.reduce((sum, e) => sum + e.share, 0)
  t.ok(Math.abs(total - 1) < 1e-9, 'shares add up to 1')
  for (const entry of entries) {
    const grant = seed.grants.find((g) => formatClientId(g.client) === entry.client && formatServiceId(g.service) === entry.service)
    t.ok(grant !== undefined && (grant.endpoints === undefined || grant.endpoints.some((e) => `${e.method} ${e.path}` === entry.endpoint)), `${entry.client} → ${entry.endpoint}`)
  }
  t.notOk(entries.some((e) => e.endpoint === 'POST /citizens/newborns'), 'newborn IDs are issued by births, never called directly')
  const clients = new Set(entries.map((e) => e.client))
  t.equal(clients.size, 14, 'every consumer subsystem of the seed takes part')
  const writes = entries.filter((e) => e.plan.write)
  t.ok(Math.abs(writes.reduce((sum, e) => sum + e.share, 0) - nationalMixDefaults.writeShare) < 1e-9, 'writes take their share')
  t.strictSame([...new Set(writes.map((e) => e.endpoint))].sort(), ['POST /births', 'POST /health-cards'])
})

t.test('emitted requests: granted, authenticated with the member\'s dev key, in realistic proportions', async (t) => {
  const requests = take(mix(), 20_000)
  const notGranted = requests.filter((r) => !granted(r))
  t.equal(notGranted.length, 0, `not granted: ${JSON.stringify(notGranted.slice(0, 2))}`)
  const keyOk = requests.every((r) => r.headers.authorization === `Bearer ${deriveDevApiKey(DEFAULT_DEV_SECRET, (r.headers['x-road-client'] as string).split('/')[2] as string)}` && r.label === r.headers['x-road-client'])
  t.ok(keyOk, 'each request carries its member\'s development key and is labelled by its client')
  const share = (test: (r: PlannedRequest) => boolean): number => requests.filter(test).length / requests.length
  const population = share((r) => r.kind.startsWith('population.'))
  t.ok(population > 0.6 && population < 0.85, `population look-ups dominate (${population})`)
  for (const database of ['insurance.', 'civil-status.', 'land.']) {
    const part = share((r) => r.kind.startsWith(database))
    t.ok(part > 0.03 && part < 0.2, `${database} ${part}`)
  }
  const writes = share((r) => r.method === 'POST' && !r.kind.includes('verify'))
  t.ok(Math.abs(writes - 0.02) < 0.005, `about 2% writes (${writes})`)
  const reads = requests.filter((r) => !(r.method === 'POST' && !r.kind.includes('verify')))
  const notFound = reads.filter((r) => r.kind.endsWith('.not-found')).length / reads.length
  t.ok(Math.abs(notFound - 0.05) < 0.01, `about 5% of look-ups name nobody (${notFound})`)
  t.ok(take(mix({ options: { writeShare: 0, notFoundShare: 0 } }), 5000).every((r) => !r.kind.endsWith('.not-found') && (r.method === 'GET' || r.kind === 'population.verify')), 'both shares can be turned off')
  t.throws(() => compileScenario(mix({ options: { writeShare: 1.5 } })), /writeShare must be a share from 0 to 1/)
  t.throws(() => compileScenario(mix({ options: { typo: 0.1 } })), /has no option typo/)
  t.throws(() => compileScenario(mix({ name: 'nope' })), /no built-in scenario 'nope'; built-ins: national-mix/)
})

t.test('deterministic per seed, distinct per worker, each worker with its share of the rate', async (t) => {
  const first = JSON.stringify(take(mix(), 200))
  t.equal(JSON.stringify(take(mix(), 200)), first, 'same seed and worker: the same requests')
  t.not(JSON.stringify(take(mix({ seed: 'other' }), 200)), first, 'another seed: other requests')
  const workers = [0, 1, 2, 3].map((i) => take(mix({ workerIndex: i, workerCount: 4 }), 200).map((r) => `${r.method} ${r.path} ${r.body ?? ''}`))
  for (let i = 1; i < 4; i++) {
    const overlap = workers[i]?.filter((line) => workers[0]?.includes(line) && !line.includes('/verify')).length ?? 0
    t.ok(overlap < 10, `worker ${i} draws its own keys (overlap ${overlap})`)
  }
  const stream = compileScenario(mix({ workerIndex: 2, workerCount: 4, rate: 100, durationMs: 3000 })).streams[0]
  t.strictSame(stream?.stages, [{ durationMs: 3000, targetRate: 25 }])
  const ramp = compileScenario(mix({ rate: undefined, stages: [{ durationMs: 1000, targetRate: 40 }], workerCount: 2 })).streams[0]
  t.strictSame([ramp?.startRate, ramp?.stages], [0, [{ durationMs: 1000, targetRate: 20 }]], '--stages ramp from 0, split between workers')
})

t.test('keys exist in the nodes\' data, not-found keys answer 404, writes are accepted', async (t) => {
  const apps: Record<string, ZodApp> = {
    population: (await startNode(t, [populationService])).app,
    insurance: (await startNode(t, [insuranceService, healthCardService], { memberCode: '000.00.13.G12' })).app,
    'civil-status': (await startNode(t, [civilRecordsService, createBirthsService({})], { memberCode: '000.00.00.G15' })).app,
    land: (await startNode(t, [parcelsService, certificatesService], { memberCode: '000.00.00.G10' })).app,
  }
  // Enough draws to see every kind; the kinds are checked, each up to a few times.
  const requests = take(mix({ seed: 'spot-check', options: { writeShare: 0.1, notFoundShare: 0.3 } }), 3000)
  const seen = new Map<string, number>()
  const wrong: string[] = []
  for (const request of requests) {
    const done = seen.get(request.kind) ?? 0
    if (done >= 4) continue
    seen.set(request.kind, done + 1)
    const { nodeId, nodePath } = route(request)
    const response = await (apps[nodeId] as ZodApp).inject({ method: request.method as 'GET', url: nodePath, headers: { ...request.headers }, ...(request.body === undefined ? {} : { payload: request.body }) })
    const expected = request.kind === 'population.verify.not-found' ? [200] : request.kind.endsWith('.not-found') ? [404] : request.method === 'POST' && request.kind !== 'population.verify' ? [200, 201] : [200]
    if (!expected.includes(response.statusCode)) wrong.push(`${request.kind} ${request.method} ${nodePath} → ${response.statusCode} ${response.body.slice(0, 200)}`)
  }
  t.strictSame(wrong, [], 'every spot-checked call got the answer its kind promises')
  const kinds = [...seen.keys()].sort()
  t.ok(kinds.length >= 20, `kinds seen: ${kinds.join(', ')}`)
  for (const kind of ['civil-status.birth', 'insurance.child-card', 'land.certificate.not-found', 'civil-status.record.not-found', 'insurance.health-card.not-found']) t.ok(seen.has(kind), kind)
})
