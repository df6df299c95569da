// One citizen's core facts as a pure function of (seed, index): name, birth date, gender and birth
// province agree with the personal ID's structure, and every database derives the same person here.
import { hashInts, Rng } from './hash.js'
import { ethnicities, familyNames, femaleGivenNames, femaleMiddleNames, maleGivenNames, maleMiddleNames, religions } from './names.js'
import { LAST_BIRTH_YEAR, type DescribedCitizen, type Gender, type PopulationIndex } from './population-index.js'

export interface CitizenCore {
  readonly index: number
  readonly personalId: string
  readonly familyName: string
  readonly middleName: string
  readonly givenName: string
  /** họ + đệm + tên, in that order. */
  readonly fullName: string
  readonly gender: Gender
  readonly dateOfBirth: string
  readonly birthYear: number
  readonly birthProvinceIndex: number
  readonly homeTownProvinceIndex: number
  readonly ethnicity: string
  readonly religion: string
  readonly dateOfDeath: string | undefined
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
/** Deaths are on the electronic civil-status register from this year on. */
export const FIRST_DEATH_REGISTRATION_YEAR = 2016

function isLeap (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** ISO date of the given 0-based day of a year. */
export function dateOfYearDay (year: number, dayOfYear: number): string {
  let day = dayOfYear
  let month = 0
  for (; month < 12; month++) {
    const length = (MONTH_DAYS[month] as number) + (month === 1 && isLeap(year) ? 1 : 0)
    if (day < length) break
    day -= length
  }
  return `${year}-${month < 9 ? '0' : ''}${month + 1}-${day < 9 ? '0' : ''}${day + 1}`
}

export function daysInYear (year: number): number {
  return isLeap(year) ? 366 : 365
}

/** Share of the people of a given age whose death has been registered (about 3 million in all). */
function deathShare (age: number): number {
  if (age < 50) return 0.008
  if (age < 70) return 0.06
  return 0.32
}

/** The citizen at `index`; `parts`, its ID parts when the caller has described it already. */
export function citizenAt (population: PopulationIndex, index: number, parts: DescribedCitizen = population.describe(index)): CitizenCore {
  const personalId = parts.personalId
  const rng = new Rng(hashInts(population.seed, 0xc171, index))
  const { gender, birthYear, provinceIndex } = parts
  const familyName = familyNames.draw(rng)
  const middleName = gender === 'male' ? maleMiddleNames.draw(rng) : femaleMiddleNames.draw(rng)
  const givenName = rng.pick(gender === 'male' ? maleGivenNames : femaleGivenNames)
  const dateOfBirth = dateOfYearDay(birthYear, rng.below(daysInYear(birthYear)))
  const homeTownProvinceIndex = rng.chance(0.7) ? provinceIndex : rng.below(63)
  const ethnicity = ethnicities.draw(rng)
  const religion = religions.draw(rng)
  let dateOfDeath: string | undefined
  if (rng.chance(deathShare(LAST_BIRTH_YEAR - birthYear))) {
    const year = rng.between(Math.max(birthYear, FIRST_DEATH_REGISTRATION_YEAR), LAST_BIRTH_YEAR)
    dateOfDeath = dateOfYearDay(year, rng.below(daysInYear(year)))
  }
  return {
    index,
    personalId,
    familyName,
    middleName,
    givenName,
    fullName: `${familyName} ${middleName} ${givenName}`,
    gender,
    dateOfBirth,
    birthYear,
    birthProvinceIndex: provinceIndex,
    homeTownProvinceIndex,
    ethnicity,
    religion,
    dateOfDeath,
  }
}
