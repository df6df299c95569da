// The land data functions on thousands of random keys, without HTTP: key ↔ index, parcel ↔
// certificate ↔ holder round trips, plausibility of every record, determinism and enumeration.
import t from 'tap'
import { citizenAt } from '../../lgsp-node/data/citizens.js'
import { communeAt, communeCount } from '../../lgsp-node/data/communes.js'
import { NationalDataset } from '../../lgsp-node/data/dataset.js'
import { hashInts, Rng } from '../../lgsp-node/data/hash.js'
import { dayOfIso, isoOfDay, yearsAfter } from '../../lgsp-node/data/calendar.js'
import { landIndex } from '../../lgsp-node/data/land-index.js'
import { eligibleHolder, parcelFacts } from '../../lgsp-node/data/land-parcels.js'
import { landUses } from '../../lgsp-node/data/land-vocabulary.js'
import { Overlay } from '../../lgsp-node/overlay.js'
import { landKeySources } from '../../lgsp-node/services/land/index.js'
import { findCertificate, findParcel, parcelRecord, parcelsOfHolder } from '../../lgsp-node/services/land/records.js'
import { testDataset } from '../helpers/node-app.js'

const land = landIndex(testDataset)
const population = testDataset.population

function randoms (count: number, bound: number, salt: number): number[] {
  const rng = new Rng(hashInts(41, salt))
  return Array.from({ length: count }, () => rng.below(bound))
}

t.test('parcel keys and global indexes map both ways; a key exists exactly within its commune\'s counts', async (t) => {
  let failures = 0
  const fail = (message: string) => { if (failures++ < 5) t.fail(message) }
  for (const index of randoms(20_000, land.size, 1)) {
    const key = land.keyAt(index)
    if (land.indexOf(key) !== index || key.sheet > land.sheetCount(key.communeIndex) || key.parcel > land.parcelCount(key.communeIndex, key.sheet)) fail(`index ${index} → ${JSON.stringify(key)}`)
  }
  const rng = new Rng(hashInts(41, 2))
  let existing = 0
  for (let i = 0; i < 20_000; i++) {
    const key = { communeIndex: rng.below(communeCount), sheet: rng.between(1, 45), parcel: rng.between(1, 650) }
    const sheets = land.sheetCount(key.communeIndex)
    const expected = key.sheet <= sheets && key.parcel <= land.parcelCount(key.communeIndex, key.sheet)
    const index = land.indexOf(key)
    if ((index >= 0) !== expected || (index >= 0 && JSON.stringify(land.keyAt(index)) !== JSON.stringify(key))) fail(`key ${JSON.stringify(key)}`)
    if (sheets < 5 || sheets > 40) fail(`commune ${key.communeIndex} has ${sheets} sheets`)
    if (expected) existing++
  }
  t.equal(failures, 0, 'no mismatches')
  t.ok(existing > 5000 && existing < 15_000, `about half the random keys exist (${existing})`)
  t.same(land.keyAt(0), { communeIndex: 0, sheet: 1, parcel: 1 })
  const last = land.keyAt(land.size - 1)
  t.equal(last.communeIndex, communeCount - 1)
  t.equal(last.sheet, land.sheetCount(communeCount - 1))
  t.equal(last.parcel, land.parcelCount(last.communeIndex, last.sheet))
  t.equal(land.indexOf({ communeIndex: 0, sheet: 0, parcel: 1 }), -1)
  t.equal(land.indexOf({ communeIndex: 0, sheet: 1, parcel: 0 }), -1)
  t.ok(land.size > 60_000_000 && land.size < 110_000_000, `national scale: ${land.size} parcels`)
})

t.test('certificate serials and parcels map both ways', async (t) => {
  let failures = 0
  const fail = (message: string) => { if (failures++ < 5) t.fail(message) }
  for (const index of randoms(20_000, land.size, 3)) {
    const serial = land.serialOf(index)
    if (!/^[A-E][A-Z]\d{6}$/.test(serial) || land.parcelOfSerial(serial) !== index) fail(`parcel ${index} → ${serial}`)
  }
  let hits = 0
  for (const value of randoms(20_000, land.serialSeries * 1_000_000, 4)) {
    const serial = `${String.fromCharCode(65 + Math.floor(value / 26_000_000), 65 + Math.floor(value / 1_000_000) % 26)}${String(value % 1_000_000).padStart(6, '0')}`
    const index = land.parcelOfSerial(serial)
    if (index >= 0) hits++
    if (index >= 0 && land.serialOf(index) !== serial) fail(`serial ${serial} → ${index}`)
  }
  t.equal(failures, 0, 'no mismatches')
  const expected = land.size / (land.serialSeries * 1_000_000)
  t.ok(Math.abs(hits / 20_000 - expected) < 0.02, `random serials hit parcels at the expected rate (${hits / 20_000} vs ${expected.toFixed(3)})`)
  for (const unused of ['ZZ123456', 'FA000000']) t.equal(land.parcelOfSerial(unused), -1, unused)
  t.equal(land.parcelOfSerial('cs123456'), -1, 'lower case is no serial')
})

t.test('holders: parcel → citizen → parcels round trip, names and birth dates are the population\'s', async (t) => {
  let failures = 0
  const fail = (message: string) => { if (failures++ < 5) t.fail(message) }
  const kinds = { individual: 0, organisation: 0, commune: 0 }
  for (const index of randoms(5000, land.size, 5)) {
    const facts = parcelFacts(testDataset, land, index)
    kinds[facts.holder.kind]++
    const slotCitizen = land.slotCitizen(index)
    if (facts.holder.kind !== 'individual') {
      if (eligibleHolder(testDataset, slotCitizen) !== undefined) fail(`parcel ${index} falls on an adult yet is held by ${facts.holder.kind}`)
      continue
    }
    const citizenIndex = population.indexOf(facts.holder.personalId)
    const core = citizenAt(population, citizenIndex)
    const ok = citizenIndex === slotCitizen && core.fullName === facts.holder.fullName && core.dateOfBirth === facts.holder.dateOfBirth &&
      land.slotParcels(citizenIndex).includes(index) && facts.holder.personalId.slice(0, 3) === facts.commune.province.code &&
      parcelsOfHolder(testDataset, core.personalId)?.parcels.some((p) => p.index === index) === true
    if (!ok) fail(`parcel ${index}: ${JSON.stringify(facts.holder)}`)
  }
  t.ok(kinds.individual / 5000 > 0.6 && kinds.individual / 5000 < 0.85, `most parcels are held by citizens (${JSON.stringify(kinds)})`)
  t.ok(kinds.commune > kinds.organisation, 'communes manage more parcels (roads, canals) than organisations hold')

  const held = new Uint32Array(5)
  for (const citizenIndex of randoms(5000, population.size, 6)) {
    const core = citizenAt(population, citizenIndex)
    const found = parcelsOfHolder(testDataset, core.personalId)
    const parcels = found?.parcels ?? []
    const bucket = Math.min(4, parcels.length)
    held[bucket] = (held[bucket] ?? 0) + 1
    if (found?.citizen.fullName !== core.fullName) fail(`citizen ${citizenIndex}: name ${found?.citizen.fullName}`)
    for (const parcel of parcels) {
      if (parcel.holder.kind !== 'individual' || parcel.holder.personalId !== core.personalId || land.slotCitizen(parcel.index) !== citizenIndex) fail(`citizen ${citizenIndex} parcel ${parcel.index}`)
    }
    if (core.birthYear >= 2008 && parcels.length > 0) fail(`minor ${core.personalId} holds land`)
  }
  t.equal(failures, 0, 'no mismatches')
  const [none = 0, one = 0, two = 0, , more = 0] = held
  t.equal(more, 0, 'nobody holds more than three parcels')
  t.ok(none > 1000 && one > 1000 && two > 300, `citizens hold 0, 1 or a few parcels (${held.join(', ')})`)
})

t.test('records are plausible: dates within the holder\'s life and the law, areas add up, terms agree', async (t) => {
  let failures = 0
  const fail = (message: string) => { if (failures++ < 5) t.fail(message) }
  let certified = 0
  for (const index of randoms(5000, land.size, 7)) {
    const facts = parcelFacts(testDataset, land, index)
    const record = parcelRecord(testDataset, facts, '63')
    const { total, own, shared } = record.area
    if (Math.round(own * 10) + Math.round(shared * 10) !== Math.round(total * 10) || total <= 0) fail(`parcel ${index} area ${JSON.stringify(record.area)}`)
    const certificate = record.certificate
    if (!landUses[record.landUse.code].certifiable && certificate !== undefined) fail(`parcel ${index}: ${record.landUse.code} certified`)
    const limited = (record.holder.kind === 'individual' && landUses[record.landUse.code].agricultural) || (record.holder.kind === 'organisation' && record.origin.code !== 'DG-KTT')
    if (limited !== (record.useTerm === 'limited') || limited !== (record.useTermUntil !== undefined)) fail(`parcel ${index} term ${record.useTerm} ${record.useTermUntil}`)
    if (record.holder.kind === 'commune' && record.holder.communeCode !== record.communeCode) fail(`parcel ${index} managed by another commune`)
    if (certificate === undefined) continue
    certified++
    const prefix = certificate.registryNumber.slice(0, 2)
    const issuerOk = prefix === 'CS' ? certificate.issuedBy.startsWith('Sở ') : prefix === 'CT' ? record.holder.kind === 'organisation' : certificate.issuedBy.startsWith('Ủy ban nhân dân ')
    if (!issuerOk || certificate.issuedOn < '2009-12-10' || certificate.issuedOn > '2025-12-31') fail(`parcel ${index}: ${JSON.stringify(certificate)}`)
    if (certificate.issuedOn >= '2025-07-01' && /huyện|quận/.test(certificate.issuedBy)) fail(`parcel ${index}: district issued after districts were abolished`)
    if (certificate.serial !== land.serialOf(index)) fail(`parcel ${index}: serial ${certificate.serial}`)
    if (record.holder.kind === 'individual') {
      const core = citizenAt(population, population.indexOf(record.holder.personalId))
      if (certificate.issuedOn < yearsAfter(core.dateOfBirth, 18) || (core.dateOfDeath !== undefined && certificate.issuedOn > core.dateOfDeath)) fail(`parcel ${index}: issued ${certificate.issuedOn} to someone born ${core.dateOfBirth}, died ${core.dateOfDeath}`)
    }
  }
  t.equal(failures, 0, 'no implausible record')
  t.ok(certified / 5000 > 0.65 && certified / 5000 < 0.9, `most parcels have a certificate (${certified / 5000})`)
})

t.test('same seed, same land: two fresh datasets agree record for record; another seed differs', async (t) => {
  const first = new NationalDataset()
  const second = new NationalDataset()
  const other = new NationalDataset('another-seed')
  t.equal(landIndex(first).size, landIndex(second).size)
  t.not(landIndex(other).size, landIndex(first).size)
  let same = 0
  let otherSame = 0
  for (const index of randoms(500, land.size, 8)) {
    const a = JSON.stringify(parcelRecord(first, parcelFacts(first, landIndex(first), index), '34'))
    if (a === JSON.stringify(parcelRecord(second, parcelFacts(second, landIndex(second), index), '34'))) same++
    if (a === JSON.stringify(parcelRecord(other, parcelFacts(other, landIndex(other), index % landIndex(other).size), '34'))) otherSame++
  }
  t.equal(same, 500)
  t.equal(otherSame, 0)
})

t.test('a small population: parcels past its slots go to communes and organisations, holders still find theirs', async (t) => {
  const small = new NationalDataset('small-land', 20_000)
  const smallLand = landIndex(small)
  let failures = 0
  let individual = 0
  for (const index of randoms(20_000, smallLand.size, 10)) {
    const facts = parcelFacts(small, smallLand, index)
    if (facts.holder.kind !== 'individual') continue
    individual++
    const found = parcelsOfHolder(small, facts.holder.personalId)
    if ((found === undefined || found.parcels.length > 3 || !found.parcels.some((p) => p.index === index)) && failures++ < 5) t.fail(`parcel ${index}`)
  }
  t.equal(failures, 0)
  t.ok(individual > 0 && individual < 100, `few of 20,000 parcels fall on one of 20,000 citizens (${individual})`)
})

t.test('key sources enumerate existing parcels and certificates', async (t) => {
  const context = { dataset: testDataset, overlay: new Overlay(':memory:'), clock: () => new Date('2026-03-01T00:00:00Z') }
  t.teardown(() => context.overlay.close())
  const [parcels, certificates] = landKeySources(context)
  t.equal(parcels?.name, 'parcels')
  t.equal(certificates?.name, 'certificates')
  t.equal(parcels?.size, land.size)
  let failures = 0
  for (const index of [0, 1, land.size - 1, ...randoms(2000, land.size, 9)]) {
    const key = parcels?.keyAt(index) ?? ''
    const [communeCode = '', sheet = '', parcel = ''] = key.split('/')
    const found = findParcel(testDataset, communeCode, Number(sheet), Number(parcel))
    const serial = certificates?.keyAt(index) ?? ''
    const certificate = findCertificate(testDataset, serial)
    const ok = /^\d{5}\/[1-9]\d*\/[1-9]\d*$/.test(key) && found?.index === index && certificate !== undefined && (certificate.index - index + land.size) % land.size < 100
    if (!ok && failures++ < 5) t.fail(`index ${index}: ${key} ${serial}`)
  }
  t.equal(failures, 0, 'every enumerated key exists')
  t.equal(communeAt(0, testDataset.seed).code, parcels?.keyAt(0).split('/')[0])
})

t.test('calendar arithmetic agrees with Date from 1900 to 2100', async (t) => {
  let failures = 0
  for (let day = dayOfIso('1900-01-01'); day <= dayOfIso('2100-12-31'); day++) {
    const iso = new Date(day * 86_400_000).toISOString().slice(0, 10)
    if ((isoOfDay(day) !== iso || dayOfIso(iso) !== day) && failures++ < 5) t.fail(`day ${day}: ${isoOfDay(day)} vs ${iso}`)
  }
  t.equal(failures, 0)
  t.equal(yearsAfter('2004-02-29', 18), '2022-02-28')
  t.equal(yearsAfter('2004-02-29', 20), '2024-02-29')
  t.equal(yearsAfter('1990-07-15', 50), '2040-07-15')
})
