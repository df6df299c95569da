// Birth, death and marriage records, each a pure function of the seed and its subject: a citizen for
// births and deaths, a household's head-and-spouse couple for marriages. Dates fall inside what the
// population data allows: a birth registered after the birth, a marriage of adults before any death.
import type { CivilRecordOf } from '../../contracts/civil-status.js'
import { provinceIndexByCode } from '../../contracts/provinces.js'
import { FIRST_DEATH_REGISTRATION_YEAR, type CitizenCore } from './citizens.js'
import { anniversaryDay, dayNumber, dayOfIso, isoOfDay } from './calendar.js'
import { authorityOf, bookAndPage, personOf, placeOfAddress, placeOfCommune, type Family, type Subject } from './civil-status-people.js'
import { communeInProvince } from './communes.js'
import { Rng } from './hash.js'
import { isoYear } from './iso-dates.js'
import { LAST_BIRTH_YEAR } from './population-index.js'

/** Generated registrations end with the generated population, on 31 December of its last year. */
export const REGISTER_END_DAY = dayNumber(LAST_BIRTH_YEAR, 12, 31)
/** The electronic register holds events other than births and marriages from this day on. */
export const ELECTRONIC_REGISTER_DAY = dayNumber(FIRST_DEATH_REGISTRATION_YEAR, 1, 1)
/** Births of children born from this year on are on the register: about 21.3 million records. */
export const BIRTH_REGISTER_FROM = 2012
/** Marriages registered from this year on were digitised: about 4.2 million records. */
export const MARRIAGE_REGISTER_FROM = 1998

/** Builds the registration number once the registration year is known. */
export type NumberOf = (year: number) => string

const TAG_BIRTH = 0xc5b1
const TAG_DEATH = 0xc5de
const TAG_MARRIAGE = 0xc5a2
const DAYS_PER_YEAR = 365.25

export function deathDay (core: CitizenCore): number {
  return core.dateOfDeath === undefined ? Number.POSITIVE_INFINITY : dayOfIso(core.dateOfDeath)
}

/** A day in [from, to], drawn with the record's stream. */
export function dayBetween (rng: Rng, from: number, to: number): number {
  return from + rng.below(to - from + 1)
}

export function birthRecord (subject: Subject, numberOf: NumberOf): CivilRecordOf<'birth'> {
  const { core, dataset } = subject
  const rng = Rng.keyed(dataset.seed, TAG_BIRTH, core.index)
  const place = placeOfCommune(communeInProvince(core.birthProvinceIndex, rng, dataset.seed))
  // The law allows 60 days; about one registration in eight is late, some by most of a year.
  const delay = rng.chance(0.88) ? rng.below(60) : 60 + rng.below(300)
  const date = isoOfDay(Math.min(dayOfIso(core.dateOfBirth) + delay, REGISTER_END_DAY))
  const year = isoYear(date)
  const { father, mother } = subject.parents
  // Fields listed rather than spread from bookAndPage: a spread in the middle of a literal is slow in V8.
  const { book, page } = bookAndPage(rng, year)
  const record: CivilRecordOf<'birth'> = {
    registrationNumber: numberOf(year),
    type: 'birth',
    book,
    page,
    registrationDate: date,
    issuingAuthority: authorityOf(place),
    source: 'generated',
    child: personOf(core),
    placeOfBirth: place,
  }
  if (father !== undefined) record.father = personOf(father)
  if (mother !== undefined) record.mother = personOf(mother)
  const declarant = mother ?? father
  if (declarant !== undefined) {
    record.declarant = { fullName: declarant.fullName, relationship: declarant === mother ? 'mother' : 'father', personalId: declarant.personalId }
  }
  return record
}

/** The death record of a citizen the population data marks deceased; undefined for the living. */
export function deathRecord (subject: Subject, numberOf: NumberOf): CivilRecordOf<'death'> | undefined {
  const { core, dataset } = subject
  if (core.dateOfDeath === undefined) return undefined
  const rng = Rng.keyed(dataset.seed, TAG_DEATH, core.index)
  const home = subject.family.household.address
  // Most people die at home; the others in a hospital of their province, registered where they lived.
  const placeOfDeath = rng.chance(0.7)
    ? placeOfAddress(home)
    : placeOfCommune(communeInProvince(provinceIndexByCode[Number(home.provinceCode)] as number, rng, dataset.seed))
  const died = dayOfIso(core.dateOfDeath)
  // Registered within a fortnight, by the end of the generated years — unless the population data
  // dates the death itself later (a few children born in its last year), which the record follows.
  const date = isoOfDay(Math.max(died, Math.min(died + rng.below(15), REGISTER_END_DAY)))
  const year = isoYear(date)
  const { book, page } = bookAndPage(rng, year)
  return {
    registrationNumber: numberOf(year),
    type: 'death',
    book,
    page,
    registrationDate: date,
    issuingAuthority: authorityOf(placeOfAddress(home)),
    source: 'generated',
    deceased: personOf(core),
    dateOfDeath: core.dateOfDeath,
    placeOfDeath,
  }
}

export interface Marriage {
  readonly husband: CitizenCore
  readonly wife: CitizenCore
  readonly day: number
  readonly rng: Rng
}

/**
 * When a household's head and spouse married, whether or not it is on the electronic register
 * (other records need it: a marital-status certificate says "married" only after this day).
 */
export function marriageOf (family: Family): Marriage | undefined {
  const { people, number, dataset } = family
  const spouse = people.spouse
  if (people.size === 0 || spouse < 0) return undefined
  const headIsMale = people.genderAt(0) === 'male'
  const husband = family.coreAt(headIsMale ? 0 : spouse)
  const wife = family.coreAt(headIsMale ? spouse : 0)
  // Legal age is 20 for men and 18 for women; the population data only guarantees 18 for both.
  let earliest = Math.max(anniversaryDay(husband.dateOfBirth, 20), anniversaryDay(wife.dateOfBirth, 18))
  if (earliest > REGISTER_END_DAY) earliest = Math.max(anniversaryDay(husband.dateOfBirth, 18), anniversaryDay(wife.dateOfBirth, 18))
  const latest = Math.min(REGISTER_END_DAY, deathDay(husband), deathDay(wife))
  if (latest < earliest) return undefined
  const rng = Rng.keyed(dataset.seed, TAG_MARRIAGE, number)
  // A product of two uniforms leans towards short waits: a mean of five years after legal age.
  const wait = Math.floor(rng.next() * rng.next() * 20 * DAYS_PER_YEAR)
  const day = earliest + wait <= latest ? earliest + wait : dayBetween(rng, earliest, latest)
  return { husband, wife, day, rng }
}

/** The marriage of a household's head and spouse, when it was registered from the cut-off year on. */
export function marriageRecord (family: Family, numberOf: NumberOf): CivilRecordOf<'marriage'> | undefined {
  const marriage = marriageOf(family)
  if (marriage === undefined) return undefined
  const date = isoOfDay(marriage.day)
  const year = isoYear(date)
  if (year < MARRIAGE_REGISTER_FROM) return undefined
  const place = placeOfAddress(family.household.address)
  const { book, page } = bookAndPage(marriage.rng, year)
  return {
    registrationNumber: numberOf(year),
    type: 'marriage',
    book,
    page,
    registrationDate: date,
    issuingAuthority: authorityOf(place),
    source: 'generated',
    husband: personOf(marriage.husband),
    wife: personOf(marriage.wife),
  }
}
