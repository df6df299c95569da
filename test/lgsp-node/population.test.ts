// The population service over real HTTP: reads, identity verification, household, newborn IDs.
import t from 'tap'
import { request } from 'undici'
import { citizenSchema, householdSchema } from '../../contracts/population.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { generatedCitizen } from '../../lgsp-node/services/population/records.js'
import { startNode, testDataset } from '../helpers/node-app.js'

const fixedToday = new Date('2026-03-01T08:00:00Z')

t.test('looks up a generated citizen, consistent with the ID structure', async (t) => {
  const { url } = await startNode(t, [populationService])
  const id = testDataset.population.idAt(4_242_424)
  const response = await request(`${url}/citizens/${id}`)
  t.equal(response.statusCode, 200)
  const citizen = citizenSchema.parse(await response.body.json())
  t.equal(citizen.personalId, id)
  t.equal(citizen.placeOfBirthRegistration.provinceCode, id.slice(0, 3))
  t.equal(citizen.dateOfBirth.slice(2, 4), id.slice(4, 6))
  t.equal(citizen.gender, Number(id[3]) % 2 === 0 ? 'male' : 'female')
  t.equal(citizen.fullName, `${citizen.familyName} ${citizen.middleName} ${citizen.givenName}`)
})

t.test('malformed IDs get 400 problems saying what is wrong; unknown ones 404', async (t) => {
  const { url } = await startNode(t, [populationService])
  const cases: Array<[string, RegExp]> = [
    ['12345', /12 digits/], ['00109001234x', /not a digit/], ['099090012345', /not a province code/],
    ['001990012345', /digit 4/], ['%27%20OR%201%3D1', /12 digits/], ['0010900123456789', /12 digits/],
  ]
  for (const [raw, message] of cases) {
    const response = await request(`${url}/citizens/${raw}`)
    t.equal(response.statusCode, 400, raw)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    const body = await response.body.json() as { type: string, detail: string }
    t.equal(body.type, 'client.invalid_identifier')
    t.match(body.detail, message, raw)
  }
  let unknown = ''
  for (let serial = 0; unknown === ''; serial++) {
    const candidate = `001090${String(serial).padStart(6, '0')}`
    if (testDataset.population.indexOf(candidate) < 0) unknown = candidate
  }
  const response = await request(`${url}/citizens/${unknown}`)
  t.equal(response.statusCode, 404)
  t.equal((await response.body.json() as { type: string }).type, 'client.not_found')
})

t.test('34-province view renames merged provinces and drops districts', async (t) => {
  const { url } = await startNode(t, [populationService])
  const id = testDataset.population.idAt(77_000_000)
  const old = citizenSchema.parse(await (await request(`${url}/citizens/${id}?view=63`)).body.json())
  const merged = citizenSchema.parse(await (await request(`${url}/citizens/${id}?view=34`)).body.json())
  t.ok(old.permanentResidence.district)
  t.equal(merged.permanentResidence.district, undefined)
  t.equal(merged.permanentResidence.line, old.permanentResidence.line)
  t.equal(merged.fullName, old.fullName)
  const bad = await request(`${url}/citizens/${id}?view=99`)
  t.equal(bad.statusCode, 400)
  await bad.body.dump()
})

t.test('verify answers yes (with the status) or no, and a no says nothing of which field, or whether the ID exists', async (t) => {
  const { url } = await startNode(t, [populationService])
  const citizen = testDataset.citizenAt(123_456)
  const post = (body: unknown) => request(`${url}/citizens/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const claim = { personalId: citizen.personalId, fullName: citizen.fullName.toUpperCase(), dateOfBirth: citizen.dateOfBirth }
  const exact = await (await post(claim)).body.json()
  t.same(exact, { match: true, status: citizen.dateOfDeath === undefined ? 'alive' : 'deceased' })
  const decomposed = await (await post({ ...claim, fullName: citizen.fullName.normalize('NFD') })).body.json()
  t.same(decomposed, exact, 'a name in decomposed Unicode is the same name')
  const otherDay = citizen.dateOfBirth.endsWith('-01') ? `${citizen.dateOfBirth.slice(0, 8)}02` : `${citizen.dateOfBirth.slice(0, 8)}01`
  const unknownId = testDataset.population.idAtPosition(0, 1990, 'male', 999_999)
  const refusals: string[] = []
  for (const wrong of [{ ...claim, fullName: 'Nguyễn Văn Không Khớp' }, { ...claim, dateOfBirth: otherDay }, { ...claim, fullName: 'X', dateOfBirth: '1900-01-01' }, { ...claim, personalId: unknownId }]) {
    const response = await post(wrong)
    t.equal(response.statusCode, 200)
    refusals.push(await response.body.text())
  }
  t.same(new Set(refusals), new Set(['{"match":false}']), 'every "no" is the same answer: a wrong name, a wrong date, an unknown ID')
  for (const hostile of [{}, { personalId: citizen.personalId }, { personalId: 1, fullName: 'a', dateOfBirth: 'x' }, { ...claim, extra: 1 }]) {
    const response = await post(hostile)
    t.equal(response.statusCode, 400, JSON.stringify(hostile))
    t.equal((await response.body.json() as { type: string }).type, 'client.bad_request')
  }
  const notJson = await request(`${url}/citizens/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"personalId":' })
  t.equal(notJson.statusCode, 400)
  await notJson.body.dump()
})

t.test('household members list the citizen and agree with their own records', async (t) => {
  const { url } = await startNode(t, [populationService])
  const id = testDataset.population.idAt(55_555_555)
  const household = householdSchema.parse(await (await request(`${url}/citizens/${id}/household`)).body.json())
  t.ok(household.members.some((m) => m.personalId === id))
  t.equal(household.members.filter((m) => m.relationToHead === 'head').length, 1)
  for (const member of household.members) {
    const record = citizenSchema.parse(await (await request(`${url}/citizens/${member.personalId}`)).body.json())
    t.equal(record.householdId, household.householdId)
    t.equal(record.fullName, member.fullName)
    t.equal(record.relationToHead, member.relationToHead)
  }
})

t.test('newborn IDs: issued once per birth registration, never colliding, then readable', async (t) => {
  const { url } = await startNode(t, [populationService], { clock: () => fixedToday })
  const mother = testDataset.citizenAt(10_000_001)
  let man = testDataset.citizenAt(10_000_002)
  for (let index = 10_000_003; man.gender !== 'male'; index++) man = testDataset.citizenAt(index)
  const post = (body: unknown) => request(`${url}/citizens/newborns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const birth = { fullName: 'Nguyễn Minh An', gender: 'male', dateOfBirth: '2026-02-10', birthProvinceCode: '001', motherId: mother.personalId, birthRegistrationNumber: 'KS-2026-00000001' }
  const first = await post(birth)
  t.equal(first.statusCode, 201)
  const issued = await first.body.json() as { personalId: string }
  t.match(issued.personalId, /^001226\d{6}$/)
  const again = await post(birth)
  t.equal(again.statusCode, 200, 'a retry returns the same ID')
  t.equal((await again.body.json() as { personalId: string }).personalId, issued.personalId)
  const twin = await post({ ...birth, fullName: 'Nguyễn Minh Bình', birthRegistrationNumber: 'KS-2026-00000002' })
  const twinId = (await twin.body.json() as { personalId: string }).personalId
  t.not(twinId, issued.personalId)
  const clash = await post({ ...birth, fullName: 'Trần Văn Khác' })
  t.equal(clash.statusCode, 409)
  await clash.body.dump()
  const record = citizenSchema.parse(await (await request(`${url}/citizens/${issued.personalId}`)).body.json())
  t.equal(record.source, 'registered')
  t.equal(record.motherId, mother.personalId)
  t.equal(record.relationToHead, 'child')

  const late2025 = await post({ ...birth, dateOfBirth: '2025-12-30', birthRegistrationNumber: 'KS-2026-00000003' })
  const lateId = (await late2025.body.json() as { personalId: string }).personalId
  t.equal(testDataset.population.indexOf(lateId), -1, 'an ID issued in a generated year is not a generated citizen')

  for (const [body, message] of [
    [{ ...birth, dateOfBirth: '2026-12-01', birthRegistrationNumber: 'KS-2026-00000009' }, /future/],
    [{ ...birth, dateOfBirth: '2019-01-01', birthRegistrationNumber: 'KS-2026-00000009' }, /over a year ago/],
    [{ ...birth, birthProvinceCode: '003', birthRegistrationNumber: 'KS-2026-00000009' }, /not a province code/],
    [{ ...birth, motherId: '001090000000', birthRegistrationNumber: 'KS-2026-00000009' }, /no citizen/],
    [{ ...birth, fullName: 'Robert"); DROP TABLE overlay;--', birthRegistrationNumber: 'KS-2026-00000009' }, /letters and spaces/],
    [{ ...birth, motherId: man.personalId, birthRegistrationNumber: 'KS-2026-00000009' }, /motherId names a man; the mother must be female/],
    [{ ...birth, fatherId: mother.personalId, birthRegistrationNumber: 'KS-2026-00000009' }, /fatherId names a woman/],
    [{ ...birth, fatherId: twinId, birthRegistrationNumber: 'KS-2026-00000009' }, /fatherId names a citizen born on 2026-02-10, under 12 at the child's birth/],
    [{ ...birth, birthRegistrationNumber: 'KS-0000-00000001' }, /registration year 0000 is outside 1900–2099/],
    [{ ...birth, birthRegistrationNumber: 'KH-2026-00000001' }, /starts with KS-/],
  ] as const) {
    const response = await post(body)
    t.equal(response.statusCode, 400, JSON.stringify(body))
    t.match((await response.body.json() as { detail: string }).detail, message)
  }
  const decomposed = await post({ ...birth, fullName: 'Nguyễn Thị Hương'.normalize('NFD'), gender: 'female', birthRegistrationNumber: 'KS-2026-00000010' })
  t.equal(decomposed.statusCode, 201, 'a name typed with combining marks is a name')
  const stored = citizenSchema.parse(await (await request(`${url}/citizens/${(await decomposed.body.json() as { personalId: string }).personalId}`)).body.json())
  t.equal(stored.fullName, 'Nguyễn Thị Hương'.normalize('NFC'), 'and is stored composed')
})

t.test('a newborn joins its mother\'s household: the same members and relations whoever is asked about', async (t) => {
  const { url } = await startNode(t, [populationService], { clock: () => fixedToday })
  // A mother who is herself a child of her household's head: her baby is the head's grandchild.
  let index = 3_000_000
  let mother = generatedCitizen(testDataset, index, '63').citizen
  const birthYearOk = (c: typeof mother): boolean => Number(c.dateOfBirth.slice(0, 4)) >= 1990 && Number(c.dateOfBirth.slice(0, 4)) <= 2005
  while (!(mother.gender === 'female' && mother.relationToHead === 'child' && mother.status === 'alive' && birthYearOk(mother))) mother = generatedCitizen(testDataset, ++index, '63').citizen
  const response = await request(`${url}/citizens/newborns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fullName: 'Lê Minh Khôi', gender: 'male', dateOfBirth: '2026-02-10', birthProvinceCode: '001', motherId: mother.personalId, birthRegistrationNumber: 'KS-2026-99000001' }),
  })
  t.equal(response.statusCode, 201)
  const { personalId } = await response.body.json() as { personalId: string }
  const baby = citizenSchema.parse(await (await request(`${url}/citizens/${personalId}`)).body.json())
  t.equal(baby.householdId, mother.householdId)
  t.equal(baby.relationToHead, 'grandchild', 'the head\'s grandchild, as the mother is the head\'s child')
  t.equal(baby.headOfHouseholdId, mother.headOfHouseholdId)
  const fromMother = householdSchema.parse(await (await request(`${url}/citizens/${mother.personalId}/household`)).body.json())
  const fromBaby = householdSchema.parse(await (await request(`${url}/citizens/${personalId}/household`)).body.json())
  t.same(fromBaby, fromMother, 'one household, whoever is asked about')
  t.match(fromMother.members.find((m) => m.personalId === personalId), { relationToHead: 'grandchild', fullName: 'Lê Minh Khôi' }, 'the mother\'s household lists the baby')
  t.ok(fromMother.members.some((m) => m.personalId === mother.headOfHouseholdId && m.relationToHead === 'head'), 'and the baby\'s lists the head')
})
