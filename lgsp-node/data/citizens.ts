// One citizen's core facts as a pure function of (seed, index): name, birth date, gender and birth
// province agree with the personal ID's structure, and every database derives the same person here.
import { isLeapYear, isoOfYearDay } from './calendar.js'
import { Rng } from './hash.js'
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

/** Deaths are on the electronic civil-status register from this year on. */
export const FIRST_DEATH_REGISTRATION_YEAR = 2016

/** ISO date of the given 0-based day of a year. */
export function dateOfYearDay (year: number, dayOfYear: number): string {
  return isoOfYearDay(year, dayOfYear)
}

export function daysInYear (year: number): number {
  return isLeapYear(year) ? 366 : 365
}

/** Share of the people of a given age whose death has been registered (about 3 million in all). */
function deathShare (age: number): number {
  if (age < 50) return 0.008
  if (age < 70) return 0.06
  return 0.32
}

const MIDDLE_NAMES = Math.max(maleMiddleNames.values.length, femaleMiddleNames.values.length)
/**
 * "<family> <middle> " by family name, gender and middle name, filled in as first met (at most
 * 37 × 2 × 16 strings): a full name is then one concatenation instead of a five-part template.
 */
const namePrefixes = new Array<string | undefined>(familyNames.values.length * 2 * MIDDLE_NAMES).fill(undefined)

function fullNameOf (familyIndex: number, gender: Gender, middleIndex: number, givenName: string): string {
  const slot = (familyIndex * 2 + (gender === 'male' ? 0 : 1)) * MIDDLE_NAMES + middleIndex
  let prefix = namePrefixes[slot]
  if (prefix === undefined) {
    const middleNames = gender === 'male' ? maleMiddleNames : femaleMiddleNames
    prefix = `${familyNames.values[familyIndex] as string} ${middleNames.values[middleIndex] as string} `
    namePrefixes[slot] = prefix
  }
  return prefix + givenName
}

/** The citizen at `index`; `parts`, its ID parts when the caller has described it already. */
export function citizenAt (population: PopulationIndex, index: number, parts: DescribedCitizen = population.describe(index)): CitizenCore {
  const personalId = parts.personalId
  const rng = Rng.keyed(population.seed, 0xc171, index)
  const { gender, birthYear, provinceIndex } = parts
  const familyIndex = familyNames.drawIndex(rng)
  const middleNames = gender === 'male' ? maleMiddleNames : femaleMiddleNames
  const middleIndex = middleNames.drawIndex(rng)
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
    familyName: familyNames.values[familyIndex] as string,
    middleName: middleNames.values[middleIndex] as string,
    givenName,
    fullName: fullNameOf(familyIndex, gender, middleIndex, givenName),
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
