// Social-insurance codes (mã số BHXH) as a pure function of the citizen index: the last two digits of
// the birth province code, then a keyed permutation of the citizen's rank among those born there. So
// a code names its holder in constant time, and only a 63-entry table per dataset is kept.
import { provinceIndexByCode, provinces } from '../../contracts/provinces.js'
import type { NationalDataset } from './dataset.js'
import { padded8 } from './digits.js'
import { FeistelPermutation } from './feistel.js'
import { hashInts } from './hash.js'
import { lastStartAtOrBelow } from './prefix-search.js'

const SUFFIXES = 100_000_000

/** The last two digits of each province's code, as insurance codes, card numbers and facility codes print them. */
export const twoDigitProvinceCodes: readonly string[] = provinces.map((province) => province.code.slice(1))

export class InsuranceCodes {
  /** starts[p] is the index of the first citizen born in province p; starts[63] is the population size. */
  private readonly starts: Float64Array
  private readonly permutations: readonly FeistelPermutation[]

  constructor (dataset: NationalDataset) {
    this.starts = new Float64Array(provinces.length + 1)
    provinces.forEach((_, provinceIndex) => {
      const [start, end] = dataset.population.provinceRange(provinceIndex)
      this.starts[provinceIndex] = start
      this.starts[provinceIndex + 1] = end
    })
    this.permutations = provinces.map((_, provinceIndex) => new FeistelPermutation(SUFFIXES, hashInts(dataset.seed, 0xb4c5, provinceIndex)))
  }

  /** Citizens born in the province: the codes generated for it (later positions are free for issuing). */
  generatedCount (provinceIndex: number): number {
    return (this.starts[provinceIndex + 1] as number) - (this.starts[provinceIndex] as number)
  }

  provinceOfIndex (index: number): number {
    return lastStartAtOrBelow(this.starts, provinces.length - 1, index)
  }

  /** The code at a position of a province's sequence; positions below generatedCount are citizens. */
  codeAtPosition (provinceIndex: number, position: number): string {
    if (!Number.isInteger(position) || position < 0 || position >= SUFFIXES) throw new RangeError(`code position ${position} is outside [0, ${SUFFIXES})`)
    const suffix = (this.permutations[provinceIndex] as FeistelPermutation).forward(position)
    return (twoDigitProvinceCodes[provinceIndex] as string) + padded8(suffix)
  }

  /** Position of a 10-digit code in its province's sequence; undefined when no province has its prefix. */
  positionOf (code: string): { provinceIndex: number, position: number } | undefined {
    const provinceIndex = provinceIndexByCode[Number(code.slice(0, 2))] ?? -1
    if (provinceIndex < 0 || code.length !== 10) return undefined
    return { provinceIndex, position: (this.permutations[provinceIndex] as FeistelPermutation).inverse(Number(code.slice(2))) }
  }

  /** The social-insurance code of the citizen at `index`; `birthProvince`, their province of birth when the caller knows it. */
  codeAt (index: number, birthProvince: number = this.provinceOfIndex(index)): string {
    return this.codeAtPosition(birthProvince, index - (this.starts[birthProvince] as number))
  }

  /** The citizen index holding a 10-digit code, or -1 when the code belongs to no generated citizen. */
  indexOf (code: string): number {
    const found = /^\d{10}$/.test(code) ? this.positionOf(code) : undefined
    if (found === undefined || found.position >= this.generatedCount(found.provinceIndex)) return -1
    return (this.starts[found.provinceIndex] as number) + found.position
  }
}

const codesByDataset = new WeakMap<NationalDataset, InsuranceCodes>()

/** The dataset's codes, built once (63 small permutations) and shared by every request. */
export function insuranceCodes (dataset: NationalDataset): InsuranceCodes {
  let codes = codesByDataset.get(dataset)
  if (codes === undefined) {
    codes = new InsuranceCodes(dataset)
    codesByDataset.set(dataset, codes)
  }
  return codes
}

export interface CardNumberParts {
  readonly group: string
  readonly benefitLevel: number
  /** Two digits: the residence province code's last two. */
  readonly provinceCode: string
  readonly socialInsuranceCode: string
}

/** Group + benefit level + province (2) + social-insurance code (10), e.g. TE1797912345678. */
export function formatCardNumber (parts: CardNumberParts): string {
  return `${parts.group}${parts.benefitLevel}${parts.provinceCode}${parts.socialInsuranceCode}`
}

/** Structural split of a card number already checked against its schema. */
export function parseCardNumber (cardNumber: string): CardNumberParts {
  return {
    group: cardNumber.slice(0, 2),
    benefitLevel: cardNumber.charCodeAt(2) - 48,
    provinceCode: cardNumber.slice(3, 5),
    socialInsuranceCode: cardNumber.slice(5),
  }
}
