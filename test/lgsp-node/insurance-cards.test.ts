// The insurance service `health-cards` over real HTTP: card checks against a pinned clock, and the
// write — a card for a child under six — with idempotency, conflicts, hostile bodies and persistence.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { healthCardSchema, insuredHouseholdSchema, insuredPersonSchema, type HealthCard } from '../../contracts/insurance.js'
import { provinceIndexByCode } from '../../contracts/provinces.js'
import { insuranceCodes } from '../../lgsp-node/data/insurance.js'
import { Overlay } from '../../lgsp-node/overlay.js'
import { healthCardService, insuranceService } from '../../lgsp-node/services/insurance/index.js'
import { generatedInsured } from '../../lgsp-node/services/insurance/records.js'
import { generatedCitizen } from '../../lgsp-node/services/population/records.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const fixedNow = new Date('2026-03-01T08:00:00Z')
const today = '2026-03-01'
const services = [insuranceService, healthCardService]
const context = { dataset: testDataset, overlay: new Overlay(':memory:'), clock: () => fixedNow }
const hanoi = provinceIndexByCode[1] as number
/** The first personal ID the population node would issue to a boy born in Hà Nội in 2025: not a generated citizen. */
const childId = testDataset.population.idAtPosition(hanoi, 2025, 'male', testDataset.population.generatedCount(hanoi, 2025, 'male'))
const twinId = testDataset.population.idAtPosition(hanoi, 2025, 'male', testDataset.population.generatedCount(hanoi, 2025, 'male') + 1)
const child = { personalId: childId, fullName: 'Nguyễn Minh An', dateOfBirth: '2025-12-15', gender: 'male', birthRegistrationNumber: 'KS-2025-00000042' }

function post (url: string, body: unknown) {
  return request(`${url}/health-cards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

/** The first generated person (scanning from `from`) whose card today satisfies `wanted`. */
function personWhere (from: number, wanted: (card: ReturnType<typeof generatedInsured>['person']) => boolean) {
  for (let index = from; ; index += 7919) {
    const person = generatedInsured(context, index, today).person
    if (wanted(person)) return person
  }
}

t.test('card checks: valid, expired and not-yet-valid relative to the pinned clock', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const cases = [
    ['valid', personWhere(1_000_000, (p) => p.card.validity === 'valid' && p.card.beneficiaryGroup === 'DN')],
    ['expired', personWhere(2_000_000, (p) => p.contributionStatus === 'lapsed')],
    ['expired', personWhere(3_000_000, (p) => p.status === 'deceased')],
    ['not-yet-valid', personWhere(4_000_000, (p) => p.card.validity === 'not-yet-valid')],
  ] as const
  for (const [validity, person] of cases) {
    const response = await request(`${url}/health-cards/${person.card.cardNumber}`)
    t.equal(response.statusCode, 200)
    const card = healthCardSchema.parse(await response.body.json())
    t.equal(card.validity, validity, `${person.card.cardNumber} (${person.contributionStatus})`)
    t.equal(card.checkedOn, today)
    t.same(card.holder, { socialInsuranceCode: person.socialInsuranceCode, personalId: person.personalId, fullName: person.fullName, dateOfBirth: person.dateOfBirth, gender: person.gender })
    if (validity === 'expired') t.ok(card.validTo < today)
    if (validity === 'not-yet-valid') t.ok(card.validFrom > today)
  }
  const toddler = personWhere(5_000_000, (p) => p.card.beneficiaryGroup === 'TE' && p.dateOfBirth.slice(5) < '09-30')
  t.equal(toddler.card.validTo, `${Number(toddler.dateOfBirth.slice(0, 4)) + 6}-09-30`, 'an under-six card runs to 30 September of the sixth year')
  t.same([toddler.card.benefitLevel, toddler.card.coveragePercent, toddler.participationType], [1, 100, 'state-budget'])
})

t.test('card checks: a number that differs from the holder\'s real card in group, level or province is no card', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const real = personWhere(6_000_000, (p) => p.card.beneficiaryGroup === 'DN').card.cardNumber
  const otherProvince = real.slice(3, 5) === '01' ? '79' : '01'
  const unknownCode = insuranceCodes(testDataset).codeAtPosition(hanoi, insuranceCodes(testDataset).generatedCount(hanoi))
  for (const forged of [`HC${real.slice(2)}`, `DN5${real.slice(3)}`, `${real.slice(0, 3)}${otherProvince}${real.slice(5)}`, `DN401${unknownCode}`]) {
    const response = await request(`${url}/health-cards/${forged}`)
    t.equal(response.statusCode, 404, forged)
    const body = await response.body.json() as { type: string, detail: string }
    t.equal(body.type, 'client.not_found')
    t.match(body.detail, /No such card/)
    t.notMatch(body.detail, real, 'the real card number is not revealed')
  }
  const malformed: Array<[string, RegExp]> = [
    ['DN4', /15 characters/], ['dn4010178551611', /capital letters/], ['ZZ4010178551611', /group ZZ is not one of/],
    ['DN9010178551611', /benefit level/], ['DN40x0178551611', /character 5 is not a digit/], ['DN4030178551611', /characters 4–5 \(03\)/],
    ['DN4010378551611', /first two digits \(03\)/], ['DN401%27%3B--%20x%20x', /characters/], [`DN4${'0'.repeat(80)}`, /got 83 characters/],
  ]
  for (const [raw, message] of malformed) {
    const response = await request(`${url}/health-cards/${raw}`)
    t.equal(response.statusCode, 400, raw)
    const body = await response.body.json() as { type: string, detail: string }
    t.equal(body.type, 'client.invalid_identifier')
    t.match(body.detail, message, raw)
  }
})

t.test('issuing: 201, then readable by code, personal ID and card number; a repeat is 200 with the same card', async (t) => {
  let now = fixedNow
  const { url } = await startNode(t, services, { clock: () => now })
  const first = await post(url, child)
  t.equal(first.statusCode, 201)
  const card = healthCardSchema.parse(await first.body.json())
  t.match(card.cardNumber, /^TE101\d{10}$/)
  t.same([card.beneficiaryGroup, card.benefitLevel, card.validFrom, card.validTo, card.validity, card.source], ['TE', 1, '2025-12-15', '2031-12-14', 'valid', 'registered'])
  t.equal(card.holder.fullName, child.fullName)
  const code = card.holder.socialInsuranceCode
  t.equal(insuranceCodes(testDataset).indexOf(code), -1, 'an issued code is no generated person\'s')

  const again = await post(url, child)
  t.equal(again.statusCode, 200)
  t.same(healthCardSchema.parse(await again.body.json()), card)
  const byCode = insuredPersonSchema.parse(await (await request(`${url}/insured/${code}`)).body.json())
  t.same(insuredPersonSchema.parse(await (await request(`${url}/insured/${childId}`)).body.json()), byCode)
  t.same([byCode.card.cardNumber, byCode.source, byCode.contributionStatus], [card.cardNumber, 'registered', 'paid-up'])
  const household = insuredHouseholdSchema.parse(await (await request(`${url}/insured/${childId}/household`)).body.json())
  t.same(household.members.map((m) => [m.personalId, m.relationToHead, m.card.cardNumber]), [[childId, 'head', card.cardNumber]])
  t.same(healthCardSchema.parse(await (await request(`${url}/health-cards/${card.cardNumber}`)).body.json()), card)

  const clash = await post(url, { ...child, fullName: 'Nguyễn Minh Bình' })
  t.equal(clash.statusCode, 409)
  t.match((await clash.body.json() as { detail: string }).detail, card.cardNumber)
  const reused = await post(url, { ...child, personalId: twinId, fullName: 'Nguyễn Minh Bình' })
  t.equal(reused.statusCode, 409, 'one birth registration, one child')
  t.match((await reused.body.json() as { detail: string }).detail, /KS-2025-00000042/)
  const twin = healthCardSchema.parse(await (await post(url, { ...child, personalId: twinId, fullName: 'Nguyễn Minh Bình', birthRegistrationNumber: 'KS-2025-00000043' })).body.json())
  t.not(twin.holder.socialInsuranceCode, code)

  now = new Date('2031-12-20T00:00:00Z')
  t.equal(healthCardSchema.parse(await (await request(`${url}/health-cards/${card.cardNumber}`)).body.json()).validity, 'expired')
  now = new Date('2025-12-01T00:00:00Z')
  t.equal(healthCardSchema.parse(await (await request(`${url}/health-cards/${card.cardNumber}`)).body.json()).validity, 'not-yet-valid')
})

t.test('issuing: identical requests racing each other create one card', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const responses = await Promise.all(Array.from({ length: 12 }, () => post(url, child)))
  const cards = await Promise.all(responses.map(async (r) => [r.statusCode, (await r.body.json() as HealthCard).cardNumber] as const))
  t.equal(cards.filter(([status]) => status === 201).length, 1)
  t.equal(cards.filter(([status]) => status === 200).length, 11)
  t.equal(new Set(cards.map(([, number]) => number)).size, 1)
})

t.test('issuing: a generated child under six already has a card: 409 naming it', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const id = testDataset.population.idAtPosition(hanoi, 2023, 'female', 0)
  const citizen = testDataset.citizen(id)
  if (citizen === undefined) throw new Error('position 0 of a generated bucket is a citizen')
  const existing = insuredPersonSchema.parse(await (await request(`${url}/insured/${id}`)).body.json()).card.cardNumber
  t.match(existing, /^TE1/)
  const response = await post(url, { personalId: id, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth, gender: 'female' })
  t.equal(response.statusCode, 409)
  const body = await response.body.json() as { type: string, detail: string }
  t.equal(body.type, 'client.conflict')
  t.match(body.detail, existing)
})

t.test('issuing: over six, born in the future, mismatched or hostile bodies are 400 problems', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const older = testDataset.population.idAtPosition(hanoi, 2019, 'male', testDataset.population.generatedCount(hanoi, 2019, 'male'))
  const unborn = testDataset.population.idAtPosition(hanoi, 2026, 'male', 0)
  const cases: Array<[unknown, RegExp]> = [
    [{ ...child, personalId: older, dateOfBirth: '2019-05-01' }, /6 or older/],
    [{ ...child, personalId: unborn, dateOfBirth: '2026-06-01' }, /in the future/],
    [{ ...child, dateOfBirth: '2024-12-15' }, /encodes birth year 2025/],
    [{ ...child, gender: 'female' }, /encodes gender male/],
    [{ ...child, dateOfBirth: '2025-02-30' }, /YYYY-MM-DD/],
    [{ ...child, personalId: '12345' }, /12 digits/],
    [{ ...child, fullName: 'Robert"); DROP TABLE overlay;--' }, /letters and spaces/],
    [{ ...child, fullName: 'A'.repeat(5000) }, /200/],
    [{ ...child, birthRegistrationNumber: 'KS-2025-1' }, /KS-2026-00000001/],
    [{ ...child, extra: true }, /extra|unrecognized/i],
    [{ ...child, motherId: testDataset.population.idAtPosition(hanoi, 1990, 'female', 999_999) }, /motherId names no citizen on record/],
    [`{"__proto__":{"admin":true},${JSON.stringify(child).slice(1)}`, /not valid JSON|unrecognized/i],
    [`{"constructor":{"prototype":{"admin":true}},${JSON.stringify(child).slice(1)}`, /not valid JSON|unrecognized/i],
    [{ personalId: childId }, /fullName/], [[child], /object|expected/i], [{ ...child, gender: 1 }, /gender/],
    ['{"personalId":', /JSON|Unexpected|body/i], ['null', /object|expected|null/i],
  ]
  for (const [body, message] of cases) {
    const response = await post(url, body)
    t.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 80))
    const problem = await response.body.json() as { type: string, detail: string }
    t.equal(problem.type, 'client.bad_request')
    t.match(problem.detail, message, JSON.stringify(body).slice(0, 80))
  }
  t.equal((await request(`${url}/insured/${childId}`)).statusCode, 404, 'nothing was written')
})

t.test('a child card given the mother is registered in her household, as population registers the child', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  let index = 2_000_000
  let mother = generatedCitizen(testDataset, index, '63').citizen
  while (!(mother.gender === 'female' && mother.status === 'alive' && Number(mother.dateOfBirth.slice(0, 4)) >= 1988)) mother = generatedCitizen(testDataset, ++index, '63').citizen
  t.equal((await post(url, { ...child, motherId: mother.personalId })).statusCode, 201)
  const insured = insuredPersonSchema.parse(await (await request(`${url}/insured/${childId}`)).body.json())
  t.equal(insured.householdId, mother.householdId, 'the household ID population gives the mother and her newborn')
  const fromChild = insuredHouseholdSchema.parse(await (await request(`${url}/insured/${childId}/household`)).body.json())
  const fromMother = insuredHouseholdSchema.parse(await (await request(`${url}/insured/${mother.personalId}/household`)).body.json())
  t.same(fromChild, fromMother, 'one household, whoever is asked about')
  const expected = mother.relationToHead === 'head' || mother.relationToHead === 'spouse' ? 'child' : 'grandchild'
  t.match(fromMother.members.find((m) => m.personalId === childId), { relationToHead: expected, fullName: child.fullName }, 'the mother\'s household lists the child')
  t.ok(fromChild.members.some((m) => m.personalId === mother.personalId), 'and the child\'s lists the mother')
  const alone = await post(url, { ...child, personalId: twinId, birthRegistrationNumber: 'KS-2025-00000043' })
  t.equal(alone.statusCode, 201)
  const own = insuredPersonSchema.parse(await (await request(`${url}/insured/${twinId}`)).body.json())
  t.match(own.householdId, /^HH9/, 'without a parent, a household of its own, numbered as population numbers it')
})

t.test('issued cards survive a close and reopen of a real SQLite file and go with DELETE /_node/overlay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ndxp-insurance-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'insurance-overlay.db')
  let issued: HealthCard | undefined
  await t.test('first life: issue', async (t) => {
    const { url } = await startNode(t, services, { clock: () => fixedNow, overlay: new Overlay(path) })
    const response = await post(url, child)
    t.equal(response.statusCode, 201)
    issued = healthCardSchema.parse(await response.body.json())
  })
  await t.test('second life: read, reset, issue again', async (t) => {
    const { url } = await startNode(t, services, { clock: () => fixedNow, overlay: new Overlay(path) })
    const read = await request(`${url}/health-cards/${issued?.cardNumber}`)
    t.equal(read.statusCode, 200)
    t.same(healthCardSchema.parse(await read.body.json()), issued)
    t.equal((await post(url, child)).statusCode, 200, 'still idempotent after a restart')
    const denied = await request(`${url}/_node/overlay`, { method: 'DELETE' })
    t.equal(denied.statusCode, 401)
    await denied.body.dump()
    const reset = await request(`${url}/_node/overlay`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
    t.same(await reset.body.json(), { removed: 3 })
    for (const path of [`/insured/${childId}`, `/insured/${issued?.holder.socialInsuranceCode}`, `/health-cards/${issued?.cardNumber}`]) {
      const gone = await request(`${url}${path}`)
      t.equal(gone.statusCode, 404, path)
      await gone.body.dump()
    }
    const reissued = await post(url, child)
    t.equal(reissued.statusCode, 201)
    t.equal((await reissued.body.json() as HealthCard).cardNumber, issued?.cardNumber, 'the same code comes back after a reset')
  })
})
