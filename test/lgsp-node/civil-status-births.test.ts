// Birth registration over real HTTP: the record it creates, readable by number and by person; parent
// and body checks; the personal-ID issuer (stored on success, nothing stored on failure); and the
// overlay's survival across a restart on a real SQLite file, and its reset.
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { birthRecordSchema, personCivilRecordsSchema, type BirthRecord } from '../../contracts/civil-status.js'
import { NdxpError } from '../../contracts/errors.js'
import { provinceIndexByCode } from '../../contracts/provinces.js'
import { citizenAt, type CitizenCore } from '../../lgsp-node/data/citizens.js'
import { communeAt, communeStart } from '../../lgsp-node/data/communes.js'
import { Overlay } from '../../lgsp-node/overlay.js'
import { birthsService, civilRecordsService, createBirthsService, type PersonalIdIssuer, type PersonalIdRequest } from '../../lgsp-node/services/civil-status/index.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const fixedNow = new Date('2026-03-01T08:00:00Z')
const clock = () => fixedNow
const hanoi = provinceIndexByCode[1] as number
const population = testDataset.population

/** The first citizen from `from` on who fits. */
function citizenWhere (from: number, wanted: (core: CitizenCore) => boolean): CitizenCore {
  for (let index = from; ; index += 7919) {
    const core = citizenAt(population, index)
    if (wanted(core)) return core
  }
}

const father = citizenWhere(1_000_000, (c) => c.gender === 'male' && c.birthYear >= 1985 && c.birthYear <= 1998 && c.dateOfDeath === undefined)
const mother = citizenWhere(2_000_000, (c) => c.gender === 'female' && c.birthYear >= 1988 && c.birthYear <= 2000 && c.dateOfDeath === undefined)
const commune = communeAt((communeStart[hanoi] as number) + 5, testDataset.seed)
const birth = {
  fullName: 'Nguyễn Minh An',
  gender: 'male',
  dateOfBirth: '2026-02-10',
  placeOfBirth: { provinceCode: '001', communeCode: commune.code },
  fatherId: father.personalId,
  motherId: mother.personalId,
  declarant: { fullName: mother.fullName, relationship: 'mother', personalId: mother.personalId },
}
/** The first ID the population node would issue to a boy born in Hà Nội in 2026. */
const newbornId = population.idAtPosition(hanoi, 2026, 'male', 0)

function post (url: string, body: unknown) {
  return request(`${url}/births`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

async function json (url: string): Promise<{ status: number, body: unknown }> {
  const response = await request(url)
  return { status: response.statusCode, body: await response.body.json() }
}

async function listedFor (url: string, personalId: string): Promise<string[]> {
  const { body } = await json(`${url}/civil-records/by-person/${personalId}`)
  return personCivilRecordsSchema.parse(body).records.map((r) => r.registrationNumber)
}

t.test('a registered birth gets a number no generated record can have and is readable both ways', async (t) => {
  const { url } = await startNode(t, [civilRecordsService, birthsService], { clock })
  const response = await post(url, birth)
  t.equal(response.statusCode, 201)
  const record = birthRecordSchema.parse(await response.body.json())
  t.match(record.registrationNumber, /^KS-2026-99\d{6}$/)
  t.equal(record.registrationNumber, 'KS-2026-99000000')
  t.same(record.child, { fullName: 'Nguyễn Minh An', gender: 'male', dateOfBirth: '2026-02-10' }, 'no personal ID without an issuer')
  t.same(record.father, { personalId: father.personalId, fullName: father.fullName, gender: 'male', dateOfBirth: father.dateOfBirth })
  t.equal(record.mother?.fullName, mother.fullName)
  t.equal(record.registrationDate, '2026-03-01')
  t.equal(record.book, 'Quyển số 01/2026')
  t.equal(record.source, 'registered')
  t.same(record.placeOfBirth.communeCode, commune.code)
  t.equal(record.issuingAuthority.name, `Ủy ban nhân dân ${commune.name.charAt(0).toLowerCase()}${commune.name.slice(1)}`)
  const read = await json(`${url}/civil-records/${record.registrationNumber}`)
  t.equal(read.status, 200)
  t.same(read.body, record)
  t.ok((await listedFor(url, mother.personalId)).includes(record.registrationNumber), 'listed for the mother')
  t.ok((await listedFor(url, father.personalId)).includes(record.registrationNumber), 'listed for the father')

  const twin = birthRecordSchema.parse(await (await post(url, { ...birth, fullName: 'Nguyễn Minh Bình' })).body.json())
  t.equal(twin.registrationNumber, 'KS-2026-99000001')
  const orphan = await post(url, { ...birth, fatherId: undefined, motherId: undefined, declarant: { fullName: 'Trần Văn Cán Bộ', relationship: 'other' } })
  t.equal(orphan.statusCode, 201, 'parents are optional')
  const bare = birthRecordSchema.parse(await orphan.body.json())
  t.equal(bare.father, undefined)
  t.equal(bare.mother, undefined)
  t.equal((await json(`${url}/civil-records/KS-2025-99000000`)).status, 404, 'the year is part of a registered number too')
})

t.test('parents must exist, have the right gender and age, and be alive', async (t) => {
  const { url, overlay } = await startNode(t, [civilRecordsService, birthsService], { clock })
  let nobody = ''
  for (let serial = 0; nobody === ''; serial++) {
    const candidate = `001090${String(serial).padStart(6, '0')}`
    if (population.indexOf(candidate) < 0) nobody = candidate
  }
  const child = citizenWhere(3_000_000, (c) => c.gender === 'female' && c.birthYear >= 2018 && c.birthYear <= 2020)
  const deadMother = citizenWhere(4_000_000, (c) => c.gender === 'female' && c.birthYear >= 1960 && c.dateOfDeath !== undefined)
  const cases: Array<[unknown, RegExp]> = [
    [{ ...birth, fatherId: nobody }, /fatherId names no citizen/],
    [{ ...birth, motherId: father.personalId }, /motherId names a man/],
    [{ ...birth, fatherId: mother.personalId }, /fatherId names a woman/],
    [{ ...birth, motherId: child.personalId }, /under 12/],
    [{ ...birth, motherId: deadMother.personalId }, /died on .* before the child's birth/],
    [{ ...birth, declarant: { ...birth.declarant, personalId: nobody } }, /declarant.personalId names no citizen/],
  ]
  for (const [body, message] of cases) {
    const response = await post(url, body)
    t.equal(response.statusCode, 400, String(message))
    t.match((await response.body.json() as { detail: string }).detail, message)
  }
  t.equal(overlay.count('civil-birth'), 0, 'nothing was registered')
})

t.test('hostile bodies are refused with 400 and store nothing', async (t) => {
  const { url, overlay } = await startNode(t, [civilRecordsService, birthsService], { clock })
  const otherProvinceCommune = communeAt((communeStart[hanoi + 1] as number) + 1, testDataset.seed)
  const cases: Array<[unknown, RegExp]> = [
    [{}, /fullName/],
    [{ ...birth, extra: 1 }, /extra|Unrecognized/i],
    [{ ...birth, fullName: 'Robert"); DROP TABLE overlay;--' }, /letters and spaces/],
    [{ ...birth, fullName: 'A'.repeat(5_000) }, /fullName/],
    [{ ...birth, fullName: 42 }, /fullName/],
    [{ ...birth, gender: 'other' }, /gender/],
    [{ ...birth, dateOfBirth: '2026-02-30' }, /YYYY-MM-DD/],
    [{ ...birth, dateOfBirth: '2026-12-01' }, /in the future/],
    [{ ...birth, dateOfBirth: '2024-01-01' }, /over a year ago/],
    [{ ...birth, placeOfBirth: { provinceCode: '003', communeCode: commune.code } }, /not a province code/],
    [{ ...birth, placeOfBirth: { provinceCode: '001', communeCode: '00002' } }, /names no commune/],
    [{ ...birth, placeOfBirth: { provinceCode: '001', communeCode: otherProvinceCommune.code } }, /is in .*, not in Hà Nội/],
    [{ ...birth, placeOfBirth: { provinceCode: '001', communeCode: "0' OR 1" } }, /5 digits/],
    [{ ...birth, fatherId: "' OR 1=1 --" }, /personal ID/],
    [{ ...birth, motherId: '٠٠١٠٩٠٠١٢٣٤٥' }, /not a digit/],
    [{ ...birth, declarant: { fullName: 'Mẹ', relationship: 'mother' } }, /declarant/],
    // Prototype poisoning is refused by the JSON parser itself.
    [`{"__proto__":{"admin":true},${JSON.stringify(birth).slice(1)}`, /not valid JSON/],
    [{ ...birth, constructor: { prototype: { admin: true } } }, /not valid JSON/],
    ['{"fullName":', /JSON|Unexpected|end/i],
    ['[]', /object|expected/i],
  ]
  for (const [body, message] of cases) {
    const response = await post(url, body)
    t.equal(response.statusCode, 400, String(message))
    const problem = await response.body.json() as { type: string, detail: string }
    t.equal(problem.type, 'client.bad_request')
    t.match(problem.detail, message)
  }
  const xml = await request(`${url}/births`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<birth/>' })
  t.equal(xml.statusCode, 415)
  await xml.body.dump()
  const text = await request(`${url}/births`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })
  t.equal(text.statusCode, 400, 'a text body is no birth either')
  await text.body.dump()
  t.equal(overlay.count('civil-birth'), 0, 'no birth was stored')
})

t.test('with a personal-ID issuer, the record carries the ID it returns', async (t) => {
  const calls: PersonalIdRequest[] = []
  const issuer: PersonalIdIssuer = async (request) => {
    calls.push(request)
    return { personalId: newbornId }
  }
  const { url } = await startNode(t, [civilRecordsService, createBirthsService({ personalIdIssuer: issuer })], { clock })
  const response = await post(url, birth)
  t.equal(response.statusCode, 201)
  const record = birthRecordSchema.parse(await response.body.json())
  t.equal(record.child.personalId, newbornId)
  t.same(calls, [{
    fullName: birth.fullName, gender: 'male', dateOfBirth: birth.dateOfBirth, birthProvinceCode: '001',
    fatherId: father.personalId, motherId: mother.personalId, birthRegistrationNumber: record.registrationNumber,
  }], 'the issuer hears the child and the registration number')
  t.same((await json(`${url}/civil-records/${record.registrationNumber}`)).body, record)
  t.same(await listedFor(url, newbornId), [record.registrationNumber], 'the newborn, unknown to the generated data, is found through its birth')
})

t.test('when the issuer fails, nothing is registered and 502 (or its own problem) comes back', async (t) => {
  const seen: string[] = []
  let behaviour: 'refuse' | 'timeout' | 'wrong-id' | 'ok' = 'refuse'
  const issuer: PersonalIdIssuer = async (request) => {
    seen.push(request.birthRegistrationNumber)
    if (behaviour === 'refuse') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4001'), { code: 'ECONNREFUSED' })
    if (behaviour === 'timeout') throw new NdxpError('server.provider_timeout', 'population node did not answer in 5 s')
    return { personalId: behaviour === 'wrong-id' ? population.idAtPosition(hanoi, 2026, 'female', 0) : newbornId }
  }
  const { url, overlay } = await startNode(t, [civilRecordsService, createBirthsService({ personalIdIssuer: issuer })], { clock })
  const before = await listedFor(url, mother.personalId)
  for (const [mode, status, type] of [['refuse', 502, 'server.provider_unreachable'], ['timeout', 504, 'server.provider_timeout'], ['wrong-id', 502, 'server.provider_unreachable']] as const) {
    behaviour = mode
    const response = await post(url, birth)
    t.equal(response.statusCode, status, mode)
    t.equal((await response.body.json() as { type: string }).type, type)
    const number = seen.at(-1) as string
    t.equal((await json(`${url}/civil-records/${number}`)).status, 404, `${number} was not registered`)
  }
  t.same(await listedFor(url, mother.personalId), before, 'the parents list no half-registered birth')
  t.equal(overlay.count('civil-birth'), 0)
  t.equal(seen[1], seen[0], 'a retry keeps the number population may already have issued an ID for')
  t.equal(seen[2], seen[0])
  behaviour = 'ok'
  const ok = birthRecordSchema.parse(await (await post(url, birth)).body.json())
  t.not(ok.registrationNumber, seen[0], 'after an ID that cannot be the child\'s, the number is given up and the retry asks under a new one')
  t.equal(ok.child.personalId, newbornId)
  const other = birthRecordSchema.parse(await (await post(url, { ...birth, fullName: 'Nguyễn Minh Châu' })).body.json())
  t.notOk(seen.slice(0, -1).includes(other.registrationNumber), 'a number once sent to the issuer is never given to another birth')
})

t.test('a retry after a failure gets the ID population already issued, and a registered birth is not registered twice', async (t) => {
  // Population's own rule: one ID per birth registration number, however often it is asked.
  const issued = new Map<string, string>()
  let failAfterIssuing = true
  const issuer: PersonalIdIssuer = async (request) => {
    const personalId = issued.get(request.birthRegistrationNumber) ?? population.idAtPosition(hanoi, 2026, 'male', issued.size)
    issued.set(request.birthRegistrationNumber, personalId)
    if (failAfterIssuing) throw new NdxpError('server.provider_timeout', 'population node did not answer in 10 s')
    return { personalId }
  }
  const { url } = await startNode(t, [civilRecordsService, createBirthsService({ personalIdIssuer: issuer })], { clock })
  const failed = await post(url, birth)
  t.equal(failed.statusCode, 504)
  t.match((await failed.body.json() as { detail: string }).detail, /send the same registration again: it keeps number KS-2026-\d{8}/)
  failAfterIssuing = false
  const retried = await post(url, { ...birth, fullName: '  nguyễn   minh AN '.normalize('NFD') })
  t.equal(retried.statusCode, 201, 'the same birth, however its name is spaced, cased or composed')
  const record = birthRecordSchema.parse(await retried.body.json())
  t.equal(issued.size, 1, 'population was asked for one ID only')
  t.equal(record.child.personalId, [...issued.values()][0], 'the record carries the ID issued during the failed attempt')
  t.equal(record.registrationNumber, [...issued.keys()][0])

  const again = await post(url, { ...birth, declarant: { fullName: 'Nguyễn Văn Bảo', relationship: 'relative' } })
  t.equal(again.statusCode, 200, 'a second submission of a registered birth is answered, not registered')
  t.same(birthRecordSchema.parse(await again.body.json()), record, 'with the record it was registered under')
  t.equal(issued.size, 1, 'and population is not asked again')
  t.same(await listedFor(url, mother.personalId), [record.registrationNumber], 'one record for the one birth')
})

t.test('concurrent registrations of different births get distinct numbers; of one birth, one record', async (t) => {
  const { url } = await startNode(t, [civilRecordsService, birthsService], { clock })
  const names = Array.from({ length: 25 }, (_, i) => `Nguyễn Minh ${'ABCDEGHIKLMNOPQRSTUVXYĐÂƠ'[i] as string}`)
  const responses = await Promise.all(names.map((fullName) => post(url, { ...birth, fullName })))
  const numbers = await Promise.all(responses.map(async (r) => birthRecordSchema.parse(await r.body.json()).registrationNumber))
  t.equal(new Set(numbers).size, 25)

  const twice = await Promise.all(Array.from({ length: 12 }, () => post(url, birth)))
  const statuses = twice.map((r) => r.statusCode).sort()
  t.same(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201], 'one 201, and a 200 for every other submission of the same birth')
  const bodies = await Promise.all(twice.map(async (r) => birthRecordSchema.parse(await r.body.json()).registrationNumber))
  t.equal(new Set(bodies).size, 1, 'all with the one record')
  t.same((await listedFor(url, mother.personalId)).filter((n) => !numbers.includes(n)), [bodies[0]])
})

t.test('registered births survive a restart on a SQLite file and go with the overlay reset', async (t) => {
  const file = join(t.testdir({}), 'node', 'overlay.db')
  const first = await startNode(t, [civilRecordsService, birthsService], { clock, overlay: new Overlay(file) })
  const created = birthRecordSchema.parse(await (await post(first.url, birth)).body.json())
  await first.app.close()

  const second = await startNode(t, [civilRecordsService, birthsService], { clock, overlay: new Overlay(file) })
  const read = await json(`${second.url}/civil-records/${created.registrationNumber}`)
  t.equal(read.status, 200)
  t.same(read.body as BirthRecord, created)
  const repeat = await post(second.url, birth)
  t.equal(repeat.statusCode, 200, 'the birth is still registered after the restart')
  t.equal(birthRecordSchema.parse(await repeat.body.json()).registrationNumber, created.registrationNumber)
  const next = birthRecordSchema.parse(await (await post(second.url, { ...birth, fullName: 'Nguyễn Minh Châu' })).body.json())
  t.not(next.registrationNumber, created.registrationNumber, 'numbering continues after the restart')

  const unauthorised = await request(`${second.url}/_node/overlay`, { method: 'DELETE' })
  t.equal(unauthorised.statusCode, 401)
  await unauthorised.body.dump()
  const reset = await request(`${second.url}/_node/overlay`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
  t.equal(reset.statusCode, 200)
  t.ok((await reset.body.json() as { removed: number }).removed >= 2)
  t.equal((await json(`${second.url}/civil-records/${created.registrationNumber}`)).status, 404)
  t.notOk((await listedFor(second.url, mother.personalId)).includes(created.registrationNumber))
  const again = birthRecordSchema.parse(await (await post(second.url, birth)).body.json())
  t.equal(again.registrationNumber, 'KS-2026-99000000', 'a reset starts the numbering over')
})
