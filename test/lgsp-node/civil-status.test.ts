// The civil-status reads over real HTTP: every event type by number and by person, the year check,
// hostile identifiers, key enumeration, and determinism of the generated register.
import t from 'tap'
import { request } from 'undici'
import { civilRecordSchema, personCivilRecordsSchema, registrationNumberParts, type CivilRecord } from '../../contracts/civil-status.js'
import { civilEventTypes, type CivilEventPrefix } from '../../contracts/identifiers.js'
import { CivilStatusRegister, civilStatusOf } from '../../lgsp-node/data/civil-status.js'
import { anniversaryDay, dayNumber, dayOfIso, isoOfDay } from '../../lgsp-node/data/calendar.js'
import { NationalDataset } from '../../lgsp-node/data/dataset.js'
import { civilRecordsService, civilStatusKeySources } from '../../lgsp-node/services/civil-status/index.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const register = civilStatusOf(testDataset)
const prefixes = Object.keys(civilEventTypes) as CivilEventPrefix[]

/** The first generated record of a type at or after a key. */
function recordFrom (prefix: CivilEventPrefix, key: number): CivilRecord {
  for (let k = key; ; k++) {
    const record = register.recordAtKey(prefix, k % register.keyCount(prefix))
    if (record !== undefined) return record
  }
}

/** The people a record names, by personal ID. */
function peopleIn (record: CivilRecord): string[] {
  const ids: Array<string | undefined> = []
  switch (record.type) {
    case 'birth': ids.push(record.child.personalId, record.father?.personalId, record.mother?.personalId); break
    case 'marriage': ids.push(record.husband.personalId, record.wife.personalId); break
    case 'death': ids.push(record.deceased.personalId); break
    case 'guardianship': ids.push(record.ward.personalId, record.guardian.personalId); break
    case 'parent-child-recognition': ids.push(record.child.personalId, record.parent.personalId); break
    case 'adoption': ids.push(record.child.personalId, record.adoptiveFather?.personalId, record.adoptiveMother?.personalId); break
    default: ids.push(record.subject.personalId)
  }
  return ids.filter((id) => id !== undefined)
}

async function getJson (url: string): Promise<{ status: number, body: unknown, type: string | undefined }> {
  const response = await request(url)
  const type = response.headers['content-type'] as string | undefined
  return { status: response.statusCode, body: await response.body.json(), type }
}

t.test('every event type is readable by number and by each person it names', async (t) => {
  const { url } = await startNode(t, [civilRecordsService])
  for (const prefix of prefixes) {
    for (const key of [0, 7_777, 123_456]) {
      const record = recordFrom(prefix, key)
      const byNumber = await getJson(`${url}/civil-records/${record.registrationNumber}`)
      t.equal(byNumber.status, 200, record.registrationNumber)
      t.same(civilRecordSchema.parse(byNumber.body), record, `${prefix}: the HTTP answer is the generated record`)
      t.equal(record.type, civilEventTypes[prefix])
      t.match(record.registrationNumber, new RegExp(`^${prefix}-${record.registrationDate.slice(0, 4)}-\\d{8}$`))
      t.match(record.book, new RegExp(`^Quyển số \\d{2}/${record.registrationDate.slice(0, 4)}$`))
      t.match(record.issuingAuthority.name, /^Ủy ban nhân dân (xã|phường) /)
      for (const personalId of peopleIn(record)) {
        const listed = await getJson(`${url}/civil-records/by-person/${personalId}`)
        t.equal(listed.status, 200)
        const { records } = personCivilRecordsSchema.parse(listed.body)
        t.ok(records.some((r) => r.registrationNumber === record.registrationNumber), `${personalId} lists ${record.registrationNumber}`)
      }
    }
  }
})

t.test('the year is part of the number: the same serial in another year is not found', async (t) => {
  const { url } = await startNode(t, [civilRecordsService])
  for (const prefix of prefixes) {
    const record = recordFrom(prefix, 4_242)
    const { year, serial } = registrationNumberParts(record.registrationNumber)
    for (const other of [year - 1, year + 1, 2030]) {
      const response = await getJson(`${url}/civil-records/${prefix}-${other}-${String(serial).padStart(8, '0')}`)
      t.equal(response.status, 404, `${prefix} ${other}`)
      t.equal((response.body as { type: string }).type, 'client.not_found')
    }
  }
  const overlaySerial = await getJson(`${url}/civil-records/KT-2020-99000000`)
  t.equal(overlaySerial.status, 404, 'serials from 99,000,000 belong to registered births only')
})

t.test('by person: empty list for a citizen with none, 404 for an ID of nobody', async (t) => {
  const { url } = await startNode(t, [civilRecordsService])
  let quiet = -1
  for (let index = 5_000_000; quiet < 0; index += 997) if (register.recordsOf(index).length === 0) quiet = index
  const quietId = testDataset.population.idAt(quiet)
  const empty = await getJson(`${url}/civil-records/by-person/${quietId}`)
  t.equal(empty.status, 200)
  t.same(empty.body, { personalId: quietId, records: [] })
  let nobody = ''
  for (let serial = 0; nobody === ''; serial++) {
    const candidate = `001090${String(serial).padStart(6, '0')}`
    if (testDataset.population.indexOf(candidate) < 0) nobody = candidate
  }
  const missing = await getJson(`${url}/civil-records/by-person/${nobody}`)
  t.equal(missing.status, 404)
  t.equal((missing.body as { type: string }).type, 'client.not_found')
  let parent = ''
  for (let key = 0; parent === ''; key += 101) {
    const birth = recordFrom('KS', key)
    if (birth.type === 'birth' && birth.mother !== undefined && register.recordsOf(testDataset.population.indexOf(birth.mother.personalId)).length > 1) parent = birth.mother.personalId
  }
  const listed = personCivilRecordsSchema.parse((await getJson(`${url}/civil-records/by-person/${parent}`)).body)
  const dates = listed.records.map((r) => r.registrationDate)
  t.ok(dates.length > 1)
  t.same(dates, [...dates].sort(), 'records come oldest first')
})

t.test('hostile identifiers get 400 problems saying what is wrong', async (t) => {
  const { url } = await startNode(t, [civilRecordsService])
  const cases: Array<[string, RegExp]> = [
    ['ks-2019-00000001', /capital letters/],
    ['XX-2019-00000001', /prefix "XX" is not an event type/],
    ['toString-2019-00000001', /not an event type/],
    ['__proto__-2019-00000001', /not an event type/],
    ['KS-19-00000001', /year must be 4 digits/],
    ['KS-1800-00000001', /year 1800 is outside/],
    ['KS-2019-0000001', /exactly 8 digits; got 7/],
    ['KS-2019-000000001', /exactly 8 digits; got 9/],
    ['KS-2019-0000000a', /digits only/],
    ['KS-2019-00000001-1', /must look like KS-2019-04839201/],
    [encodeURIComponent('KS-２０１９-00000001'), /year must be 4 digits/],
    [encodeURIComponent('KS-2019-0000ⅷ01'), /digits only/],
    [encodeURIComponent("KS-2019-1' OR '1'='1"), /digits only/],
    ['%27%3B%20DROP%20TABLE%20overlay%3B--', /prefix "'; DROP TABLE overlay;" is not an event type/],
    ['%27%20OR%201%3D1', /must look like/],
    ['%00', /must look like/],
    ['KS-2019-00000001%2F..%2F..', /digits only/],
    ['KS-2019-00000001/extra', /digits only; got "00000001\/extra"/],
    ['a/b', /must look like/],
    ['K'.repeat(5_000), /must look like.*5000 characters/],
    [`KS-2019-${'9'.repeat(400)}`, /exactly 8 digits; got 400/],
    ['by-person/12345', /12 digits/],
    [`by-person/${'1'.repeat(2_000)}`, /12 digits/],
    ['by-person/00109001234x', /not a digit/],
    [`by-person/${encodeURIComponent('００１０９００１２３４５')}`, /not a digit/],
  ]
  for (const [raw, message] of cases) {
    const response = await getJson(`${url}/civil-records/${raw}`)
    t.equal(response.status, 400, raw.slice(0, 40))
    t.match(response.type, /application\/problem\+json/)
    const body = response.body as { type: string, detail: string }
    t.equal(body.type, 'client.invalid_identifier', raw.slice(0, 40))
    t.match(body.detail, message, raw.slice(0, 40))
  }
  // Broken percent-encoding is refused by the router itself, before any route.
  const broken = await request(`${url}/civil-records/%E0%A4%A`)
  t.equal(broken.statusCode, 400)
  await broken.body.dump()
})

t.test('key sources enumerate registration numbers that exist', async (t) => {
  const { url } = await startNode(t, [civilRecordsService], { keySources: civilStatusKeySources })
  const names = civilStatusKeySources({ dataset: testDataset } as never).map((source) => source.name)
  t.same(names.sort(), ['civil-adoptions', 'civil-births', 'civil-changes', 'civil-deaths', 'civil-guardianships', 'civil-marital-status-certificates', 'civil-marriages', 'civil-recognitions'])
  for (const name of names) {
    const response = await request(`${url}/_node/keys/${name}?offset=1000&count=4`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
    t.equal(response.statusCode, 200, name)
    const page = await response.body.json() as { size: number, keys: string[] }
    t.ok(page.size > 1_000, `${name} has ${page.size} keys`)
    t.equal(page.keys.length, 4)
    for (const key of page.keys) {
      const record = await getJson(`${url}/civil-records/${key}`)
      t.equal(record.status, 200, `${name}: ${key}`)
    }
  }
  const births = civilStatusKeySources({ dataset: testDataset } as never).find((source) => source.name === 'civil-births')
  t.equal(births?.size, register.births.size, 'one birth key per birth record')
})

t.test('two fresh datasets with the same seed agree record for record; another seed does not', async (t) => {
  const first = new CivilStatusRegister(new NationalDataset())
  const second = new CivilStatusRegister(new NationalDataset())
  const other = new CivilStatusRegister(new NationalDataset('another-seed'))
  let differs = 0
  for (const prefix of prefixes) {
    for (let key = 0; key < 20_000_000; key += 1_999_993) {
      const k = key % first.keyCount(prefix)
      t.same(first.recordAtKey(prefix, k), second.recordAtKey(prefix, k), `${prefix} key ${k}`)
      const a = first.recordAtKey(prefix, k)
      const b = other.recordAtKey(prefix, k)
      if (a?.registrationNumber !== b?.registrationNumber) differs++
    }
    const index = 31_337_000 + prefixes.indexOf(prefix)
    t.same(first.recordsOf(index), second.recordsOf(index))
  }
  t.ok(differs > 50, `another seed gives other numbers (${differs} differ)`)
})

t.test('calendar arithmetic agrees with Date for every day from 1900 to 2100', async (t) => {
  let mismatches = 0
  for (let day = dayNumber(1900, 1, 1); day <= dayNumber(2100, 12, 31); day++) {
    const iso = new Date(day * 86_400_000).toISOString().slice(0, 10)
    if (isoOfDay(day) !== iso || dayOfIso(iso) !== day) mismatches++
  }
  t.equal(mismatches, 0)
  t.equal(isoOfDay(anniversaryDay('2008-02-29', 18)), '2026-03-01', 'a leap-day birthday comes of age on 1 March')
  t.equal(isoOfDay(anniversaryDay('2007-05-17', 18)), '2025-05-17')
})

t.test('a small population gets a proportionally small register that still holds together', async (t) => {
  const small = new NationalDataset('small-town', 200_000)
  const smallRegister = new CivilStatusRegister(small)
  t.ok(smallRegister.keyCount('XNHN') < 20_000 && smallRegister.keyCount('XNHN') > 5_000, `${smallRegister.keyCount('XNHN')} certificate draws`)
  for (const prefix of prefixes) {
    let found = 0
    for (let key = 0; key < smallRegister.keyCount(prefix) && found < 20; key += 13) {
      const record = smallRegister.recordAtKey(prefix, key)
      if (record === undefined) continue
      found++
      const { year, serial } = registrationNumberParts(record.registrationNumber)
      t.same(smallRegister.find(prefix, year, serial), record)
      for (const personalId of peopleIn(record)) {
        const listed = smallRegister.recordsOf(small.population.indexOf(personalId))
        if (!listed.some((r) => r.registrationNumber === record.registrationNumber)) t.fail(`${personalId} does not list ${record.registrationNumber}`)
      }
    }
    t.ok(found > 0, `${prefix}: ${found} records`)
  }
})
