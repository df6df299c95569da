// The bijection between "the k-th citizen" and a 12-digit personal ID (PPP G YY NNNNNN). Citizens
// are counted per bucket (birth province × birth year × gender), weighted by province population and
// an age pyramid; inside a bucket a keyed permutation scatters them over the 10^6 serials. So any
// ID answers "exists or not" in constant time and any index maps to an existing ID, with no table.
import { padded2, padded6 } from './digits.js'
import { permuteSerial, permuteSerialWith, SERIAL_ROUND_KEYS, serialRoundKeys, unpermuteSerial } from './feistel.js'
import { hashInts } from './hash.js'
import { provinceIndexByCode, provinces } from '../../contracts/provinces.js'
import { lastStartAtOrBelow, lastStartBetween } from './prefix-search.js'

export const FIRST_BIRTH_YEAR = 1925
/** The generated population is as of 1 January 2026; later births only come from the write overlay. */
export const LAST_BIRTH_YEAR = 2025
const YEARS = LAST_BIRTH_YEAR - FIRST_BIRTH_YEAR + 1
const BUCKETS = provinces.length * YEARS * 2
const SERIALS = 1_000_000
/** Slots of the index → bucket hint table: more slots than buckets, so a slot spans one or two buckets. */
const HINT_SLOTS = 16_384

export type Gender = 'male' | 'female'

export interface IdParts {
  readonly provinceIndex: number
  readonly birthYear: number
  readonly gender: Gender
  readonly serial: number
}

/** A citizen's ID with the parts it spells, as describe() derives them. */
export type DescribedCitizen = IdParts & { readonly personalId: string }

/** Relative number of living people born `age` years before the reference date. */
function ageWeight (age: number): number {
  if (age < 45) return 1
  if (age < 60) return 1 - (age - 45) * 0.025
  return Math.max(0.01, 0.62 * Math.exp(-(age - 60) / 11))
}

function bucketOf (provinceIndex: number, birthYear: number, genderBit: number): number {
  return ((provinceIndex * YEARS) + (birthYear - FIRST_BIRTH_YEAR)) * 2 + genderBit
}

/** The first six digits of every ID in a bucket (province, century-and-gender, year): the same for every seed. */
const idPrefixes: readonly string[] = Array.from({ length: BUCKETS }, (_, bucket) => {
  const rest = bucket >> 1
  const birthYear = FIRST_BIRTH_YEAR + (rest % YEARS)
  const code = (provinces[Math.floor(rest / YEARS)] as { code: string }).code
  return `${code}${centuryGenderDigit(birthYear, (bucket & 1) === 0 ? 'male' : 'female')}${padded2(birthYear % 100)}`
})

export class PopulationIndex {
  readonly size: number
  readonly seed: number
  /** bucketStart[b] is the index of the first citizen of bucket b; bucketStart[BUCKETS] is the size. */
  private readonly bucketStart: Float64Array
  /** permuteSerial's round keys for every bucket's serialKey, computed once (200 kB): describe() runs for every household member. */
  private readonly serialRounds: Uint32Array
  /** Citizens per hint slot, and the bucket of each slot's first citizen: narrows the bucket search to a step or two. */
  private readonly hintWidth: number
  private readonly hintBucket: Uint16Array

  constructor (seed: number, targetSize = 98_000_000) {
    this.seed = seed
    const provinceTotal = provinces.reduce((sum, p) => sum + p.populationMillions, 0)
    let ageTotal = 0
    for (let year = FIRST_BIRTH_YEAR; year <= LAST_BIRTH_YEAR; year++) ageTotal += ageWeight(LAST_BIRTH_YEAR - year)
    this.bucketStart = new Float64Array(BUCKETS + 1)
    let running = 0
    provinces.forEach((province, provinceIndex) => {
      for (let year = FIRST_BIRTH_YEAR; year <= LAST_BIRTH_YEAR; year++) {
        const share = targetSize * (province.populationMillions / provinceTotal) * (ageWeight(LAST_BIRTH_YEAR - year) / ageTotal)
        // Slightly more boys are born, slightly more women survive into old age.
        const maleShare = LAST_BIRTH_YEAR - year < 55 ? 0.512 : 0.46
        for (const genderBit of [0, 1]) {
          const bucket = bucketOf(provinceIndex, year, genderBit)
          this.bucketStart[bucket] = running
          running += Math.min(SERIALS, Math.round(share * (genderBit === 0 ? maleShare : 1 - maleShare)))
        }
      }
    })
    this.bucketStart[BUCKETS] = running
    this.size = running
    this.serialRounds = new Uint32Array(BUCKETS * SERIAL_ROUND_KEYS)
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const rest = bucket >> 1
      serialRoundKeys(this.serialKey(Math.floor(rest / YEARS), FIRST_BIRTH_YEAR + (rest % YEARS), bucket & 1), this.serialRounds, bucket * SERIAL_ROUND_KEYS)
    }
    this.hintWidth = Math.max(1, Math.ceil(running / HINT_SLOTS))
    this.hintBucket = new Uint16Array(HINT_SLOTS + 1)
    for (let slot = 0; slot <= HINT_SLOTS; slot++) {
      this.hintBucket[slot] = lastStartAtOrBelow(this.bucketStart, BUCKETS - 1, Math.min(slot * this.hintWidth, Math.max(0, running - 1)))
    }
  }

  /** First index of the bucket, and how many citizens it holds. */
  private bucketRange (bucket: number): [start: number, count: number] {
    const start = this.bucketStart[bucket] as number
    return [start, (this.bucketStart[bucket + 1] as number) - start]
  }

  /** The bucket holding a citizen index: between the buckets of its hint slot's first citizen and the next slot's. */
  private bucketOfIndex (index: number): number {
    const slot = Math.floor(index / this.hintWidth)
    return lastStartBetween(this.bucketStart, this.hintBucket[slot] as number, this.hintBucket[slot + 1] as number, index)
  }

  /** Keyed by province, year and gender rather than bucket number, so years past the table work too. */
  private serialKey (provinceIndex: number, birthYear: number, genderBit: number): number {
    return hashInts(this.seed, 0x5e41a1, provinceIndex, birthYear * 2 + genderBit)
  }

  /** How many generated citizens share this province, birth year and gender (0 outside the table). */
  generatedCount (provinceIndex: number, birthYear: number, gender: Gender): number {
    if (birthYear < FIRST_BIRTH_YEAR || birthYear > LAST_BIRTH_YEAR) return 0
    return this.bucketRange(bucketOf(provinceIndex, birthYear, gender === 'male' ? 0 : 1))[1]
  }

  /**
   * The personal ID at a position of the serial sequence for a province, year and gender. Positions
   * below generatedCount are generated citizens; the ones after are free for newly issued IDs.
   */
  idAtPosition (provinceIndex: number, birthYear: number, gender: Gender, position: number): string {
    if (position < 0 || position >= SERIALS) throw new RangeError(`serial position ${position} is outside [0, ${SERIALS})`)
    const serial = permuteSerial(position, this.serialKey(provinceIndex, birthYear, gender === 'male' ? 0 : 1))
    return formatPersonalId({ provinceIndex, birthYear, gender, serial })
  }

  /** The personal ID of the citizen at `index` (0 ≤ index < size). */
  idAt (index: number): string {
    return this.describe(index).personalId
  }

  /** The ID of the citizen at `index` with its parts, without formatting and re-parsing a string. */
  describe (index: number): DescribedCitizen {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`citizen index ${index} is outside [0, ${this.size})`)
    return this.describeInBucket(index, this.bucketOfIndex(index))
  }

  /** describe() for a caller that has read the citizen's bucket already (bucket = bucketAt(index)). */
  describeInBucket (index: number, bucket: number): DescribedCitizen {
    const genderBit = bucket & 1
    const rest = bucket >> 1
    const provinceIndex = Math.floor(rest / YEARS)
    const birthYear = FIRST_BIRTH_YEAR + (rest % YEARS)
    const serial = permuteSerialWith(index - (this.bucketStart[bucket] as number), this.serialRounds, bucket * SERIAL_ROUND_KEYS)
    const gender: Gender = genderBit === 0 ? 'male' : 'female'
    // The bucket's prefix table spares formatPersonalId's padding; built field by field, as spread is slow here.
    const personalId = (idPrefixes[bucket] as string) + padded6(serial)
    return { provinceIndex, birthYear, gender, serial, personalId }
  }

  /**
   * The bucket of the citizen at `index` (0 ≤ index < size): birth province, year and gender in one
   * number, read with bucketBirthYear and the like. Far cheaper than describe() when the ID is not needed.
   */
  bucketAt (index: number): number {
    return this.bucketOfIndex(index)
  }

  birthYearAt (index: number): number {
    return bucketBirthYear(this.bucketOfIndex(index))
  }

  birthProvinceAt (index: number): number {
    return bucketProvince(this.bucketOfIndex(index))
  }

  /** The index of the citizen with this ID, or -1 when the (well-formed) ID belongs to nobody. */
  indexOf (personalId: string): number {
    const parts = parsePersonalId(personalId)
    if (parts === undefined || parts.birthYear < FIRST_BIRTH_YEAR || parts.birthYear > LAST_BIRTH_YEAR) return -1
    const genderBit = parts.gender === 'male' ? 0 : 1
    const [start, count] = this.bucketRange(bucketOf(parts.provinceIndex, parts.birthYear, genderBit))
    const position = unpermuteSerial(parts.serial, this.serialKey(parts.provinceIndex, parts.birthYear, genderBit))
    return position < count ? start + position : -1
  }

  /** Index range [start, end) of the citizens born in a province (buckets are province-major). */
  provinceRange (provinceIndex: number): [start: number, end: number] {
    return [this.bucketStart[bucketOf(provinceIndex, FIRST_BIRTH_YEAR, 0)] as number,
      this.bucketStart[bucketOf(provinceIndex + 1, FIRST_BIRTH_YEAR, 0)] as number]
  }
}

export function bucketBirthYear (bucket: number): number {
  return FIRST_BIRTH_YEAR + ((bucket >> 1) % YEARS)
}

export function bucketProvince (bucket: number): number {
  return Math.floor((bucket >> 1) / YEARS)
}

export function bucketGender (bucket: number): Gender {
  return (bucket & 1) === 0 ? 'male' : 'female'
}

/** Century-and-gender digit: 1900s male 0 / female 1, 2000s 2 / 3, 2100s 4 / 5. */
export function centuryGenderDigit (birthYear: number, gender: Gender): number {
  return (Math.floor(birthYear / 100) - 19) * 2 + (gender === 'male' ? 0 : 1)
}

export function formatPersonalId (parts: IdParts): string {
  const province = provinces[parts.provinceIndex]
  if (province === undefined) throw new RangeError(`no province at index ${parts.provinceIndex}`)
  return `${province.code}${centuryGenderDigit(parts.birthYear, parts.gender)}${padded2(parts.birthYear % 100)}${padded6(parts.serial)}`
}

/** Structural parse of a personal ID; undefined when it is not 12 digits or names no province. */
export function parsePersonalId (personalId: string): IdParts | undefined {
  if (personalId.length !== 12 || !/^\d{12}$/.test(personalId)) return undefined
  const provinceIndex = provinceIndexByCode[Number(personalId.slice(0, 3)) % 100] as number
  if (Number(personalId.slice(0, 3)) > 99 || provinceIndex < 0) return undefined
  const digit = personalId.charCodeAt(3) - 48
  if (digit > 5) return undefined
  const birthYear = 1900 + Math.floor(digit / 2) * 100 + Number(personalId.slice(4, 6))
  return { provinceIndex, birthYear, gender: digit % 2 === 0 ? 'male' : 'female', serial: Number(personalId.slice(6)) }
}
