// One person is the same person in the civil-status and population databases: names, birth dates,
// genders, parents, spouses and deaths agree — checked on thousands of random citizens through the
// data functions, on a sample over HTTP, and the register's size by event type against the figures.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { civilRecordSchema, personCivilRecordsSchema, registrationNumberParts, type CivilPerson, type CivilRecord } from '../../contracts/civil-status.js'
import type { CivilEventPrefix } from '../../contracts/identifiers.js'
import { citizenSchema } from '../../contracts/population.js'
import { familyLinks, householdOfCitizen } from '../../lgsp-node/data/citizen-record.js'
import { citizenAt } from '../../lgsp-node/data/citizens.js'
import { civilStatusOf } from '../../lgsp-node/data/civil-status.js'
import { anniversaryDay, dayOfIso } from '../../lgsp-node/data/calendar.js'
import { BIRTH_REGISTER_FROM } from '../../lgsp-node/data/civil-status-events.js'
import { hashInts, Rng } from '../../lgsp-node/data/hash.js'
import { civilRecordsService } from '../../lgsp-node/services/civil-status/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { startNode, testDataset } from '../helpers/node-app.js'

const register = civilStatusOf(testDataset)
const population = testDataset.population
const END = '2025-12-31'

function samePerson (t: Test, person: CivilPerson, what: string): void {
  const index = population.indexOf(person.personalId)
  const core = citizenAt(population, index)
  if (index < 0 || core.fullName !== person.fullName || core.dateOfBirth !== person.dateOfBirth || core.gender !== person.gender) {
    t.fail(`${what} ${person.personalId} differs from the population record`)
  }
}

function peopleOf (record: CivilRecord): Array<[string, CivilPerson]> {
  const entries = Object.entries(record).filter(([, value]) => typeof value === 'object' && value !== null && 'personalId' in value && 'gender' in value)
  return entries as Array<[string, CivilPerson]>
}

t.test('records of 3,000 random citizens agree with the population data', async (t) => {
  const rng = new Rng(hashInts(1, 2, 3))
  const seen = new Map<string, number>()
  let checked = 0
  for (let sample = 0; sample < 3_000; sample++) {
    const index = rng.below(population.size)
    const core = citizenAt(population, index)
    const household = householdOfCitizen(testDataset, index, '63')
    const links = familyLinks(household, core.personalId)
    const records = register.recordsOf(index)
    const own = (type: CivilRecord['type']) => records.filter((r) => r.type === type && peopleOf(r)[0]?.[1].personalId === core.personalId)
    for (const record of records) {
      civilRecordSchema.parse(record)
      seen.set(record.type, (seen.get(record.type) ?? 0) + 1)
      for (const [role, person] of peopleOf(record)) samePerson(t, person, `${record.registrationNumber} ${role}`)
      // The population data dates a few deaths of children born in its last year after that year; deaths follow it.
      const lastDay = record.type === 'death' && record.dateOfDeath > END ? record.dateOfDeath : END
      if (record.registrationDate > lastDay) t.fail(`${record.registrationNumber} registered after the generated population ends`)
      const { prefix, year, serial } = registrationNumberParts(record.registrationNumber)
      if (Number(record.registrationDate.slice(0, 4)) !== year) t.fail(`${record.registrationNumber} year differs from its date`)
      t.same(register.find(prefix, year, serial), record, `${record.registrationNumber} is found by its number`)
      checked++
    }
    const births = own('birth')
    t.equal(births.length, core.birthYear >= BIRTH_REGISTER_FROM ? 1 : 0, `${core.personalId} has a birth record iff born from ${BIRTH_REGISTER_FROM}`)
    for (const birth of births) {
      if (birth.type !== 'birth') continue
      if (birth.registrationDate < core.dateOfBirth) t.fail(`${birth.registrationNumber} registered before the birth`)
      t.equal(birth.father?.personalId, links.fatherId, 'birth record father = population father')
      t.equal(birth.mother?.personalId, links.motherId, 'birth record mother = population mother')
    }
    const deaths = own('death')
    t.equal(deaths.length, core.dateOfDeath === undefined ? 0 : 1, 'a death record iff the population says deceased')
    for (const death of deaths) if (death.type === 'death') t.equal(death.dateOfDeath, core.dateOfDeath)
    for (const record of records) {
      if (record.type === 'marriage') {
        const [me, spouse] = record.husband.personalId === core.personalId ? [record.husband, record.wife] : [record.wife, record.husband]
        t.equal(me.personalId, core.personalId)
        t.equal(spouse.personalId, links.spouseId, 'a marriage is with the population spouse')
        for (const person of [record.husband, record.wife]) {
          const partner = citizenAt(population, population.indexOf(person.personalId))
          if (dayOfIso(record.registrationDate) < anniversaryDay(person.dateOfBirth, 18)) t.fail(`${record.registrationNumber}: married under 18`)
          if (partner.dateOfDeath !== undefined && record.registrationDate > partner.dateOfDeath) t.fail(`${record.registrationNumber}: married after death`)
        }
      }
      if (record.type === 'adoption' || record.type === 'parent-child-recognition') {
        const child = citizenAt(population, population.indexOf(record.child.personalId))
        const childLinks = familyLinks(householdOfCitizen(testDataset, child.index, '63'), child.personalId)
        const parents = record.type === 'adoption' ? [record.adoptiveFather?.personalId, record.adoptiveMother?.personalId] : [record.parent.personalId]
        for (const parent of parents) if (parent !== undefined) t.ok(parent === childLinks.fatherId || parent === childLinks.motherId, 'parents are the population parents')
      }
      if (record.type === 'guardianship') {
        t.equal(householdOfCitizen(testDataset, population.indexOf(record.ward.personalId), '63').members[0]?.personalId, record.guardian.personalId, 'the guardian heads the ward\'s household')
        if (dayOfIso(record.registrationDate) >= anniversaryDay(record.ward.dateOfBirth, 18)) t.fail('guardianship of an adult')
      }
    }
  }
  t.ok(checked > 1_000, `${checked} records checked`)
  for (const type of ['birth', 'marriage', 'death', 'marital-status-certificate']) t.ok((seen.get(type) ?? 0) > 20, `${type}: ${seen.get(type)} seen`)
})

t.test('deceased ↔ death record, both ways, over 100,000 citizens and random death numbers', async (t) => {
  const rng = new Rng(99)
  let deceased = 0
  for (let sample = 0; sample < 100_000; sample++) {
    const index = rng.below(population.size)
    const core = citizenAt(population, index)
    const death = register.recordAtKey('KT', index)
    if ((death !== undefined) !== (core.dateOfDeath !== undefined)) t.fail(`${core.personalId}: death record and population status disagree`)
    if (death?.type === 'death' && death.dateOfDeath !== core.dateOfDeath) t.fail(`${core.personalId}: death dates differ`)
    if (core.dateOfDeath !== undefined) deceased++
  }
  t.ok(deceased > 500, `${deceased} deceased checked`)
  let found = 0
  for (let year = 2016; year <= 2026; year++) {
    for (let sample = 0; sample < 40_000; sample++) {
      const record = register.find('KT', year, rng.below(99_000_000))
      if (record?.type !== 'death') continue
      found++
      const core = citizenAt(population, population.indexOf(record.deceased.personalId))
      if (core.dateOfDeath !== record.dateOfDeath) t.fail(`${record.registrationNumber}: the population data dates the death otherwise`)
      if (record.registrationDate < record.dateOfDeath || Number(record.registrationDate.slice(0, 4)) !== year) t.fail(`${record.registrationNumber}: registered before the death or in another year`)
    }
  }
  t.ok(found > 300, `${found} death numbers drawn at random and checked`)
})

t.test('over HTTP, a citizen in both databases is the same person', async (t) => {
  const { url } = await startNode(t, [populationService, civilRecordsService])
  const rng = new Rng(7)
  const json = async (path: string) => (await request(`${url}${path}`)).body.json()
  let compared = 0
  for (const prefix of ['KS', 'KH', 'KT', 'NCN', 'GH'] as CivilEventPrefix[]) {
    for (let sample = 0; sample < 6; sample++) {
      let record: CivilRecord | undefined
      while (record === undefined) record = register.recordAtKey(prefix, rng.below(register.keyCount(prefix)))
      for (const [role, person] of peopleOf(record)) {
        const citizen = citizenSchema.parse(await json(`/citizens/${person.personalId}`))
        t.same({ fullName: citizen.fullName, gender: citizen.gender, dateOfBirth: citizen.dateOfBirth }, { fullName: person.fullName, gender: person.gender, dateOfBirth: person.dateOfBirth }, `${role} of ${record.registrationNumber}`)
        const listed = personCivilRecordsSchema.parse(await json(`/civil-records/by-person/${person.personalId}`))
        t.ok(listed.records.some((r) => r.registrationNumber === record.registrationNumber))
        const death = listed.records.find((r) => r.type === 'death' && r.deceased.personalId === person.personalId)
        t.equal(citizen.status, death === undefined ? 'alive' : 'deceased')
        if (death?.type === 'death') t.equal(death.dateOfDeath, citizen.dateOfDeath)
        const birth = listed.records.find((r) => r.type === 'birth' && r.child.personalId === person.personalId)
        if (birth?.type === 'birth') t.same([birth.father?.personalId, birth.mother?.personalId], [citizen.fatherId, citizen.motherId])
        const marriage = listed.records.find((r) => r.type === 'marriage')
        if (marriage?.type === 'marriage') t.equal(marriage.husband.personalId === citizen.personalId ? marriage.wife.personalId : marriage.husband.personalId, citizen.spouseId)
        compared++
      }
    }
  }
  t.ok(compared >= 40, `${compared} people compared`)
})

t.test('counts by event type, estimated by sampling, are near the register figures', async (t) => {
  const rng = new Rng(2021)
  const estimate = (prefix: CivilEventPrefix, samples: number): number => {
    let hits = 0
    for (let sample = 0; sample < samples; sample++) if (register.recordAtKey(prefix, rng.below(register.keyCount(prefix))) !== undefined) hits++
    return hits / samples * register.keyCount(prefix)
  }
  const near = (prefix: CivilEventPrefix, samples: number, figure: number, tolerance: number, todo?: string): void => {
    const value = estimate(prefix, samples)
    const message = `${prefix}: ≈${Math.round(value).toLocaleString('en')} vs ${figure.toLocaleString('en')}`
    t.ok(Math.abs(value - figure) / figure < tolerance, message, todo === undefined ? {} : { todo })
  }
  t.ok(Math.abs(register.births.size - 21_246_221) / 21_246_221 < 0.01, `KS: ${register.births.size} vs 21,246,221`)
  near('KH', 60_000, 4_247_455, 0.08)
  near('XNHN', 3_000, 5_145_840, 0.03)
  near('TD', 2_000, 493_507, 0.03)
  near('NCC', 8_000, 83_269, 0.08)
  near('GH', 8_000, 11_245, 0.08)
  near('NCN', 8_000, 9_626, 0.08)
  // Deaths are exactly the citizens the population data marks deceased, about 1.5 M of them so far.
  near('KT', 100_000, 3_010_027, 0.1)
})
