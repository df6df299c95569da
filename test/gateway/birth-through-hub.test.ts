// The real flow: a province registers a birth with the Ministry of Justice through the hub, and the
// civil-status node obtains the newborn's personal ID from population through the hub too — one call,
// two linked transactions in the hub's log.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { communeAt, communeStart } from '../../lgsp-node/data/communes.js'
import { citizenAt, type CitizenCore } from '../../lgsp-node/data/citizens.js'
import { hubPersonalIdIssuer } from '../../lgsp-node/hub-issuer.js'
import { civilRecordsService, createBirthsService } from '../../lgsp-node/services/civil-status/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { DEFAULT_DEV_SECRET } from '../../registry/seed.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { startHub } from '../helpers/hub.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

function citizenWhere (from: number, wanted: (core: CitizenCore) => boolean): CitizenCore {
  for (let index = from; ; index += 7919) {
    const core = citizenAt(testDataset.population, index)
    if (wanted(core)) return core
  }
}

/** A federation of population and civil status behind a hub, the issuer with a short timeout, both nodes on one clock. */
async function federation (t: Test, issuerTimeoutMs = 10_000) {
  const clock = { now: new Date(Date.now() - 5 * 86_400_000) }
  const population = await startNode(t, [populationService], { clock: () => clock.now })
  let hubUrl = ''
  const issuer = hubPersonalIdIssuer({
    get hubUrl () { return hubUrl },
    apiKey: deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.G15'),
    client: 'VN/GOV/000.00.00.G15/HOTICH',
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens',
    timeoutMs: issuerTimeoutMs,
  })
  const civil = await startNode(t, [civilRecordsService, createBirthsService({ personalIdIssuer: (birth, link) => issuer(birth, link) })], { memberCode: '000.00.00.G15', clock: () => clock.now })
  const hub = await startHub(t, { population: population.url, 'civil-status': civil.url })
  hubUrl = hub.url
  const mother = citizenWhere(2_000_000, (c) => c.gender === 'female' && c.birthYear >= 1988 && c.birthYear <= 2000 && c.dateOfDeath === undefined)
  const commune = communeAt((communeStart[0] as number) + 5, testDataset.seed)
  const register = async (fullName: string, dateOfBirth: string, messageId?: string): Promise<{ status: number, body: { registrationNumber?: string, child?: { personalId?: string }, detail?: string } }> => {
    const response = await request(`${hub.url}/r1/VN/GOV/000.00.00.G15/HOTICH/births`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.keys.get('000.00.00.H49')}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH', 'content-type': 'application/json', ...(messageId === undefined ? {} : { 'x-road-id': messageId }) },
      body: JSON.stringify({ fullName, gender: 'male', dateOfBirth, placeOfBirth: { provinceCode: '001', communeCode: commune.code }, motherId: mother.personalId, declarant: { fullName: mother.fullName, relationship: 'mother', personalId: mother.personalId } }),
    })
    return { status: response.statusCode, body: await response.body.json() as never }
  }
  const admin = async (url: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> => {
    const response = await request(`${url}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await response.body.text()
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`)
  }
  const slowPopulation = async (ms: number): Promise<void> => { await admin(population.url, 'POST', '/_node/faults', { id: 'slow', scope: { endpoint: 'POST /citizens/newborns' }, fault: { kind: 'latency', distribution: { type: 'fixed', ms } } }) }
  const citizenStatus = async (personalId: string): Promise<number> => { const r = await request(`${population.url}/citizens/${personalId}`); await r.body.dump(); return r.statusCode }
  return { clock, population, civil, hub, mother, register, admin, slowPopulation, citizenStatus }
}

const hanoiBoyAt = (year: number, position: number): string => testDataset.population.idAtPosition(0, year, 'male', testDataset.population.generatedCount(0, year, 'male') + position)

t.test('a registration that timed out while population issued the ID, retried with the name retyped, gets that one ID', async (t) => {
  const f = await federation(t, 300)
  const day = f.clock.now.toISOString().slice(0, 10)
  await f.slowPopulation(2500)
  const first = await f.register('Nguyễn Minh An', day)
  t.equal(first.status, 502, 'the issuer gave up (undici times headers out to about a second)')
  t.match(first.body.detail, /send the same registration again: it keeps number KS-\d{4}-\d{8}/)
  await new Promise((resolve) => setTimeout(resolve, 2000)) // population finishes issuing meanwhile
  await f.admin(f.population.url, 'DELETE', '/_node/faults')
  t.equal(await f.citizenStatus(hanoiBoyAt(Number(day.slice(0, 4)), 0)), 200, 'population did issue an ID during the failed attempt')
  const retry = await f.register('  nguyễn   minh AN ', day)
  t.equal(retry.status, 201, JSON.stringify(retry.body))
  t.equal(retry.body.child?.personalId, hanoiBoyAt(Number(day.slice(0, 4)), 0), 'the retry carries the ID issued then')
  t.equal(await f.citizenStatus(hanoiBoyAt(Number(day.slice(0, 4)), 1)), 404, 'and no second ID was issued')
})

t.test('after civil status alone was reset, a new birth skips the numbers population already bound to other children', async (t) => {
  const f = await federation(t)
  const day = f.clock.now.toISOString().slice(0, 10)
  const first = await f.register('Nguyễn Minh An', day)
  t.equal(first.status, 201)
  await f.admin(f.civil.url, 'DELETE', '/_node/overlay')
  const next = await f.register('Trần Văn Bình', day)
  t.equal(next.status, 201, JSON.stringify(next.body))
  t.not(next.body.registrationNumber, first.body.registrationNumber, 'a number population had bound to another child is skipped')
  t.equal(next.body.child?.personalId, hanoiBoyAt(Number(day.slice(0, 4)), 1), 'and the child gets an ID of its own')
})

t.test('a registration retried across New Year in Vietnam keeps its number, so the child gets one ID', async (t) => {
  const f = await federation(t, 300)
  f.clock.now = new Date('2026-12-31T16:30:00Z') // 23:30 on 31 December in Hà Nội
  await f.slowPopulation(2500)
  const first = await f.register('Nguyễn Minh An', '2026-12-31')
  t.equal(first.status, 502)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  await f.admin(f.population.url, 'DELETE', '/_node/faults')
  f.clock.now = new Date('2026-12-31T17:30:00Z') // 00:30 on 1 January 2027
  const retry = await f.register('Nguyễn Minh An', '2026-12-31')
  t.equal(retry.status, 201, JSON.stringify(retry.body))
  t.match(retry.body.registrationNumber, /^KS-2026-/, 'the number held since last year')
  t.equal(retry.body.child?.personalId, hanoiBoyAt(2026, 0))
  t.equal(await f.citizenStatus(hanoiBoyAt(2026, 1)), 404, 'no second ID')
})

t.test('POST /births through the hub obtains the personal ID through the hub', async (t) => {
  const f = await federation(t)
  const { status, body: record } = await f.register('Nguyễn Minh An', f.clock.now.toISOString().slice(0, 10), 'birth-case-1')
  t.equal(status, 201, JSON.stringify(record))
  t.match(record.child?.personalId, /^001[23]\d{8}$/, 'the newborn has a personal ID of its birth province and century')
  const citizen = await request(`${f.population.url}/citizens/${record.child?.personalId as string}`)
  t.match(await citizen.body.json(), { source: 'registered', motherId: f.mother.personalId })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(f.hub.records.length, 2, 'two exchanges: the birth, and the personal ID it needed')
  const [inner, outer] = f.hub.records
  t.match(inner, { clientMemberCode: '000.00.00.G15', clientSubsystemCode: 'HOTICH', serviceCode: 'citizens', restPath: '/citizens/newborns', outcome: 'success', issue: 'birth-case-1' })
  t.match(outer, { clientMemberCode: '000.00.00.H49', serviceCode: 'births', restPath: '/births', outcome: 'success', messageId: 'birth-case-1' })
})
