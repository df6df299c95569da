// The insurance service `insured` over real HTTP, and the code ↔ person mapping under it: codes and
// personal IDs name the same person, whose identity and household are the population database's own.
import t from 'tap'
import { request } from 'undici'
import { insuredHouseholdSchema, insuredPersonSchema } from '../../contracts/insurance.js'
import { citizenSchema, householdSchema } from '../../contracts/population.js'
import { provinces } from '../../contracts/provinces.js'
import { householdOfCitizen } from '../../lgsp-node/data/citizen-record.js'
import { citizenAt } from '../../lgsp-node/data/citizens.js'
import { NationalDataset } from '../../lgsp-node/data/dataset.js'
import { hashInts, Rng } from '../../lgsp-node/data/hash.js'
import { benefitLevels, childCardEnd } from '../../lgsp-node/data/health-cards.js'
import { insuranceCodes, parseCardNumber } from '../../lgsp-node/data/insurance.js'
import { Overlay } from '../../lgsp-node/overlay.js'
import { healthCardService, insuranceKeySources, insuranceService } from '../../lgsp-node/services/insurance/index.js'
import { findInsured, generatedInsured } from '../../lgsp-node/services/insurance/records.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const fixedNow = new Date('2026-03-01T08:00:00Z')
const today = '2026-03-01'
const context = { dataset: testDataset, overlay: new Overlay(':memory:'), clock: () => fixedNow }
const codes = insuranceCodes(testDataset)
const services = [populationService, insuranceService, healthCardService]

function randomIndexes (count: number, salt: number): number[] {
  const rng = new Rng(hashInts(7, salt))
  return Array.from({ length: count }, () => rng.below(testDataset.size))
}

t.test('data: codes and people map both ways, identity is the population record (20,000 random people)', async (t) => {
  let failures = 0
  const seen = new Set<string>()
  for (const index of randomIndexes(20_000, 1)) {
    const core = citizenAt(testDataset.population, index)
    const code = codes.codeAt(index)
    seen.add(code)
    const byCode = findInsured(context, code, today)
    const byId = findInsured(context, core.personalId, today)
    const person = byCode?.person
    const card = person === undefined ? undefined : parseCardNumber(person.card.cardNumber)
    const ok = /^\d{10}$/.test(code) && code.slice(0, 2) === core.personalId.slice(1, 3) && codes.indexOf(code) === index &&
      person !== undefined && JSON.stringify(person) === JSON.stringify(byId?.person) &&
      person.personalId === core.personalId && person.fullName === core.fullName && person.dateOfBirth === core.dateOfBirth &&
      person.gender === core.gender && person.status === (core.dateOfDeath === undefined ? 'alive' : 'deceased') &&
      card?.socialInsuranceCode === code && card.group === person.card.beneficiaryGroup &&
      benefitLevels[person.card.beneficiaryGroup] === card.benefitLevel &&
      (person.card.beneficiaryGroup === 'TE') === ((core.dateOfDeath ?? today) <= childCardEnd(core.dateOfBirth))
    if (!ok && failures++ < 5) t.fail(`citizen ${index}: ${JSON.stringify({ code, person })}`)
  }
  t.equal(failures, 0, 'every sampled person round-trips and agrees with citizenAt')
  t.equal(seen.size, 20_000, 'no two people share a code')
})

t.test('data: a random well-formed code names a person exactly when the inverse lands inside its province', async (t) => {
  const rng = new Rng(hashInts(7, 2))
  let existing = 0
  for (let i = 0; i < 20_000; i++) {
    const province = rng.pick(provinces)
    const code = `${province.code.slice(1)}${String(rng.below(100_000_000)).padStart(8, '0')}`
    const index = codes.indexOf(code)
    if (index >= 0) {
      existing++
      if (codes.codeAt(index) !== code) t.fail(`code ${code} maps to ${index}, which maps back elsewhere`)
    }
  }
  // About 98 million people over 63 × 10^8 codes.
  t.ok(existing > 100 && existing < 1_000, `${existing} of 20,000 random codes exist`)
  for (let province = 0; province < provinces.length; province++) {
    t.equal(codes.indexOf(codes.codeAtPosition(province, codes.generatedCount(province))), -1)
  }
})

t.test('data: the same code gives the same record from two fresh datasets; another seed differs', async (t) => {
  const fresh = [new NationalDataset(), new NationalDataset()].map((dataset) => ({ ...context, dataset }))
  const other = { ...context, dataset: new NationalDataset('another-seed') }
  let differs = 0
  for (const index of randomIndexes(500, 3)) {
    const [a, b] = fresh.map((c) => generatedInsured(c, index, today).person)
    t.same(a, b)
    if (insuranceCodes(other.dataset).codeAt(index) !== a?.socialInsuranceCode) differs++
    if (t.passing() === false) break
  }
  t.ok(differs > 490, 'the seed keys the codes')
})

t.test('HTTP: reads by code and by personal ID agree and match the population record', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  for (const index of randomIndexes(60, 4)) {
    const code = codes.codeAt(index)
    const byCode = await request(`${url}/insured/${code}`)
    t.equal(byCode.statusCode, 200)
    const person = insuredPersonSchema.parse(await byCode.body.json())
    const byId = insuredPersonSchema.parse(await (await request(`${url}/insured/${person.personalId}`)).body.json())
    t.same(byId, person, `${code} and ${person.personalId} are one person`)
    const citizen = citizenSchema.parse(await (await request(`${url}/citizens/${person.personalId}`)).body.json())
    t.same([person.fullName, person.dateOfBirth, person.gender, person.householdId, person.status],
      [citizen.fullName, citizen.dateOfBirth, citizen.gender, citizen.householdId, citizen.status])
    t.equal(person.card.provinceCode, citizen.permanentResidence.provinceCode.slice(1), 'the card is issued where the household lives')
    t.equal(person.card.validity, person.card.validTo < today ? 'expired' : person.card.validFrom > today ? 'not-yet-valid' : 'valid')
  }
})

t.test('HTTP: the insured household is the population household, each member with their own card', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  for (const index of randomIndexes(8, 5)) {
    const code = codes.codeAt(index)
    const household = insuredHouseholdSchema.parse(await (await request(`${url}/insured/${code}/household`)).body.json())
    const personalId = testDataset.population.idAt(index)
    const population = householdSchema.parse(await (await request(`${url}/citizens/${personalId}/household`)).body.json())
    t.equal(household.householdId, population.householdId)
    t.same(household.members.map((m) => [m.personalId, m.fullName, m.dateOfBirth, m.gender, m.relationToHead]),
      population.members.map((m) => [m.personalId, m.fullName, m.dateOfBirth, m.gender, m.relationToHead]))
    t.equal(householdOfCitizen(testDataset, index, '63').householdId, household.householdId)
    for (const member of household.members) {
      const own = insuredPersonSchema.parse(await (await request(`${url}/insured/${member.socialInsuranceCode}`)).body.json())
      t.equal(own.personalId, member.personalId)
      t.same(own.card, member.card)
      t.equal(member.card.provinceCode, population.address.provinceCode.slice(1))
    }
  }
})

t.test('HTTP: malformed keys get 400 problems saying what is wrong; well-formed unknown ones 404', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  const cases: Array<[string, RegExp]> = [
    ['123', /10 digits .* or a 12-digit personal ID; got 3 characters/], ['12345678901', /got 11 characters/],
    ['79123x5678', /character 6 is not a digit/], ['0312345678', /digits 1–2 \(03\) are not .* province/],
    ['099090012345', /not a province code/], ['001990012345', /digit 4/], ['001290012345', /future/],
    ['%27%20OR%201%3D1--', /got 10 characters including non-digits|not a digit/], ['1%3B%20DROP%20TABLE', /not a digit|characters/],
    ['%E2%91%A0%E2%91%A1%E2%91%A2%E2%91%A3%E2%91%A4%E2%91%A5%E2%91%A6%E2%91%A7%E2%91%A8%E2%91%A9', /not a digit/],
    ['%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6%D9%A7%D9%A8%D9%A9%D9%A0', /not a digit/], ['%00%00%00%00%00%00%00%00%00%00', /not a digit/],
    ['+7912345678', /got 11 characters/], ['%207912345678', /got 11 characters/], ['7'.repeat(90), /got 90 characters/],
  ]
  for (const [raw, message] of cases) {
    for (const path of [`/insured/${raw}`, `/insured/${raw}/household`]) {
      const response = await request(`${url}${path}`)
      t.equal(response.statusCode, 400, path)
      t.match(response.headers['content-type'], /application\/problem\+json/)
      const body = await response.body.json() as { type: string, detail: string }
      t.equal(body.type, 'client.invalid_identifier', path)
      t.match(body.detail, message, path)
    }
  }
  const unknownCode = codes.codeAtPosition(50, codes.generatedCount(50))
  let unknownId = ''
  for (let serial = 0; unknownId === ''; serial++) {
    const candidate = `079190${String(serial).padStart(6, '0')}`
    if (testDataset.population.indexOf(candidate) < 0) unknownId = candidate
  }
  for (const key of [unknownCode, unknownId, `${unknownCode}/household`]) {
    const response = await request(`${url}/insured/${key}`)
    t.equal(response.statusCode, 404, key)
    const body = await response.body.json() as { type: string, detail: string }
    t.equal(body.type, 'client.not_found')
    t.match(body.detail, /No insured person/)
  }
})

t.test('HTTP: identifiers beyond the router limit or with broken percent-encoding are 400 problems', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow })
  for (const path of [`/insured/${'1'.repeat(5000)}`, '/insured/%E0%A4%A', '/insured/%zz']) {
    const response = await request(`${url}${path}`)
    t.equal(response.statusCode, 400, path.slice(0, 30))
    t.match(response.headers['content-type'], /application\/problem\+json/)
    await response.body.dump()
  }
})

t.test('HTTP: key sources enumerate existing codes and card numbers; OpenAPI documents the routes', async (t) => {
  const { url } = await startNode(t, services, { clock: () => fixedNow, keySources: insuranceKeySources })
  const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
  for (const [source, path] of [['insured', '/insured/'], ['health-cards', '/health-cards/']] as const) {
    const page = await (await request(`${url}/_node/keys/${source}?offset=50000000&count=25`, { headers })).body.json() as { size: number, keys: string[] }
    t.equal(page.size, testDataset.size)
    t.equal(page.keys.length, 25)
    for (const key of page.keys) {
      const response = await request(`${url}${path}${key}`)
      t.equal(response.statusCode, 200, key)
      await response.body.dump()
    }
  }
  const docs = await (await request(`${url}/docs/json`)).body.json() as { paths: Record<string, unknown> }
  t.ok(docs.paths['/insured/{code}'] && docs.paths['/insured/{code}/household'] && docs.paths['/health-cards/{cardNumber}'] && docs.paths['/health-cards'])
})
