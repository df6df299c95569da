// The rarer events — marital-status certificates, changes and corrections, parent–child
// recognitions, guardianships, adoptions — each drawn for a fixed number of people born in a range
// of years. A draw whose subject cannot have the event (a child with no parent on record, a ward who
// died first) is no record, so the counts below are draws, calibrated to the register's totals.
import { certificatePurposes, changedFields, type CivilRecord, type CivilRecordOf } from '../../contracts/civil-status.js'
import type { CivilEventPrefix } from '../../contracts/identifiers.js'
import { anniversaryDay, dayOfIso, isoOfDay } from './calendar.js'
import { dayBetween, deathDay, ELECTRONIC_REGISTER_DAY, marriageOf, REGISTER_END_DAY, type NumberOf } from './civil-status-events.js'
import { authorityOf, bookAndPage, personOf, placeOfAddress, type Subject } from './civil-status-people.js'
import type { CitizenCore } from './citizens.js'
import type { Rng } from './hash.js'
import { isoYear } from './iso-dates.js'
import { FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR } from './population-index.js'

export type DensePrefix = Extract<CivilEventPrefix, 'XNHN' | 'TD' | 'NCC' | 'GH' | 'NCN'>

export interface DenseEventSpec {
  readonly prefix: DensePrefix
  readonly tag: number
  /** Subjects are drawn among the citizens born in these years. */
  readonly fromYear: number
  readonly toYear: number
  /** Subjects drawn in the national population (scaled for smaller ones); the share that can have the event is measured in the tests. */
  readonly draws: number
  readonly build: (subject: Subject, rng: Rng, numberOf: NumberOf) => CivilRecord | undefined
}

type Base = Pick<CivilRecord, 'registrationNumber' | 'book' | 'page' | 'registrationDate' | 'issuingAuthority' | 'source'>

/** The common part of a record registered on a day drawn in [from, to] at the subject's home commune. */
function registeredBetween (subject: Subject, rng: Rng, numberOf: NumberOf, from: number, to: number): Base | undefined {
  if (to < from) return undefined
  const date = isoOfDay(dayBetween(rng, from, to))
  const year = isoYear(date)
  const { book, page } = bookAndPage(rng, year)
  return {
    registrationNumber: numberOf(year),
    book,
    page,
    registrationDate: date,
    issuingAuthority: authorityOf(placeOfAddress(subject.family.household.address)),
    source: 'generated',
  }
}

/** The finished record. Object.assign, because spreading `base` into a new literal hits a V8 slow path (~10 µs). */
function complete<T extends CivilRecord['type']> (base: Base, type: T, fields: Omit<CivilRecordOf<T>, keyof Base | 'type'>): CivilRecordOf<T> {
  return Object.assign(base, { type }, fields) as CivilRecordOf<T>
}

function lastDayAlive (...people: CitizenCore[]): number {
  return Math.min(REGISTER_END_DAY, ...people.map(deathDay))
}

function maritalStatusCertificate (subject: Subject, rng: Rng, numberOf: NumberOf): CivilRecordOf<'marital-status-certificate'> | undefined {
  const { core } = subject
  const base = registeredBetween(subject, rng, numberOf, Math.max(ELECTRONIC_REGISTER_DAY, anniversaryDay(core.dateOfBirth, 18)), lastDayAlive(core))
  if (base === undefined) return undefined
  const relation = subject.family.relationOf(core.index)
  const marriage = relation === 'head' || relation === 'spouse' ? marriageOf(subject.family) : undefined
  const married = marriage !== undefined && marriage.day <= dayOfIso(base.registrationDate)
  // The single mostly need one to marry; the married to sell or mortgage property.
  const purpose = married
    ? (rng.chance(0.6) ? 'property-transaction' : rng.pick(certificatePurposes.slice(2)))
    : (rng.chance(0.7) ? 'marriage-registration' : rng.pick(certificatePurposes.slice(1)))
  return complete(base, 'marital-status-certificate', { subject: personOf(core), maritalStatus: married ? 'married' : 'single', purpose })
}

function changeOrCorrection (subject: Subject, rng: Rng, numberOf: NumberOf): CivilRecordOf<'change-or-correction'> | undefined {
  const { core } = subject
  const base = registeredBetween(subject, rng, numberOf, Math.max(ELECTRONIC_REGISTER_DAY, dayOfIso(core.dateOfBirth)), lastDayAlive(core))
  if (base === undefined) return undefined
  const draw = rng.next()
  if (draw < 0.1) return complete(base, 'change-or-correction', { subject: personOf(core), kind: 'ethnicity-redetermination', field: 'ethnicity' })
  // Changes are of names; corrections fix any field mis-entered at registration.
  const kind = draw < 0.5 ? 'change' : 'correction'
  const field = kind === 'change' ? rng.pick(changedFields.slice(0, 3)) : rng.pick(changedFields.slice(0, 5))
  return complete(base, 'change-or-correction', { subject: personOf(core), kind, field })
}

/** Recognition of a child by the parent the population data links them to (father first). */
function parentChildRecognition (subject: Subject, rng: Rng, numberOf: NumberOf): CivilRecordOf<'parent-child-recognition'> | undefined {
  const { core } = subject
  const { father, mother } = subject.parents
  const parent = father ?? mother
  if (parent === undefined) return undefined
  const base = registeredBetween(subject, rng, numberOf, Math.max(ELECTRONIC_REGISTER_DAY, dayOfIso(core.dateOfBirth)), lastDayAlive(core, parent))
  if (base === undefined) return undefined
  return complete(base, 'parent-child-recognition', { child: personOf(core), parent: personOf(parent), parentRole: parent === father ? 'father' : 'mother' })
}

/** A minor living with a grandparent who heads the household, while still a minor. */
function guardianship (subject: Subject, rng: Rng, numberOf: NumberOf): CivilRecordOf<'guardianship'> | undefined {
  const { core, family } = subject
  if (family.people.size === 0 || family.relationOf(core.index) !== 'grandchild') return undefined
  const guardian = family.coreAt(0)
  const to = Math.min(lastDayAlive(core, guardian), anniversaryDay(core.dateOfBirth, 18) - 1)
  const base = registeredBetween(subject, rng, numberOf, Math.max(ELECTRONIC_REGISTER_DAY, dayOfIso(core.dateOfBirth)), to)
  if (base === undefined) return undefined
  return complete(base, 'guardianship', { ward: personOf(core), guardian: personOf(guardian) })
}

/** Adoption before 16 by the parents the population data links the child to. */
function adoption (subject: Subject, rng: Rng, numberOf: NumberOf): CivilRecordOf<'adoption'> | undefined {
  const { core } = subject
  const { father, mother } = subject.parents
  const parents = [father, mother].filter((p) => p !== undefined)
  if (parents.length === 0) return undefined
  const to = Math.min(lastDayAlive(core, ...parents), anniversaryDay(core.dateOfBirth, 16) - 1)
  const base = registeredBetween(subject, rng, numberOf, Math.max(ELECTRONIC_REGISTER_DAY, dayOfIso(core.dateOfBirth)), to)
  if (base === undefined) return undefined
  const record = complete(base, 'adoption', { child: personOf(core) })
  if (father !== undefined) record.adoptiveFather = personOf(father)
  if (mother !== undefined) record.adoptiveMother = personOf(mother)
  return record
}

/**
 * Draws are the register's totals to 23/11/2021 (reference/facts.md) divided by the share of draws
 * that can have the event (about 1, 1, 0.49, 0.30 and 0.49 with the default seed), so the records
 * number about 5.1 M, 494 k, 83 k, 11 k and 9.6 k.
 */
export const denseEventSpecs: readonly DenseEventSpec[] = [
  { prefix: 'XNHN', tag: 0xc5c1, fromYear: FIRST_BIRTH_YEAR, toYear: LAST_BIRTH_YEAR - 18, draws: 5_145_840, build: maritalStatusCertificate },
  { prefix: 'TD', tag: 0xc5c2, fromYear: FIRST_BIRTH_YEAR, toYear: LAST_BIRTH_YEAR, draws: 493_507, build: changeOrCorrection },
  { prefix: 'NCC', tag: 0xc5c3, fromYear: 1990, toYear: LAST_BIRTH_YEAR, draws: 171_700, build: parentChildRecognition },
  { prefix: 'GH', tag: 0xc5c4, fromYear: 2000, toYear: LAST_BIRTH_YEAR, draws: 37_400, build: guardianship },
  { prefix: 'NCN', tag: 0xc5c5, fromYear: 2000, toYear: LAST_BIRTH_YEAR, draws: 19_760, build: adoption },
]
