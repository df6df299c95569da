// Households as a pure function of the seed: a second keyed permutation shuffles all citizens, and
// each run of 16 shuffled positions is cut into households of 1–7 (3.6 on average, so about 27
// million households for 98 million people, as the insurance register counts). Finding a person's
// household, or a household's members, touches at most 16 positions: constant time, no storage.
import { FeistelPermutation } from './feistel.js'
import { hashInts, Rng } from './hash.js'
import type { PopulationIndex } from './population-index.js'

const BLOCK = 16
// Household sizes in Vietnam (2019 census shares, roughly): one to seven or more people.
const SIZE_WEIGHTS = [0.12, 0.2, 0.22, 0.24, 0.12, 0.06, 0.04]

export interface HouseholdSlots {
  /** Position of the household's first member in the shuffled order: its stable number. */
  readonly number: number
  readonly memberIndexes: readonly number[]
}

export class HouseholdIndex {
  private readonly shuffle: FeistelPermutation

  constructor (private readonly population: PopulationIndex) {
    this.shuffle = new FeistelPermutation(population.size, hashInts(population.seed, 0x40057))
  }

  /**
   * Where the block is cut into households, as a bit mask: bit k is set when a household starts at
   * offset k (bit 0 always). A mask rather than an array: this runs for every household lookup.
   */
  private cuts (block: number): number {
    const rng = Rng.keyed(this.population.seed, 0xb10c, block)
    let starts = 0
    let offset = 0
    while (offset < BLOCK) {
      starts |= 1 << offset
      let u = rng.next()
      let size = 1
      for (let which = 0; which < SIZE_WEIGHTS.length; which++) {
        const weight = SIZE_WEIGHTS[which] as number
        if (u < weight) break
        u -= weight
        size++
      }
      offset += Math.min(size, SIZE_WEIGHTS.length)
    }
    return starts
  }

  /**
   * The household starting at `offset` of the block, which runs to the next start (or the block's
   * end). The member at `knownPosition`, when given, is `knownIndex`: no need to un-shuffle it.
   */
  private slotsAt (block: number, starts: number, offset: number, knownPosition = -1, knownIndex = -1): HouseholdSlots {
    const later = starts >>> (offset + 1)
    const length = later === 0 ? BLOCK - offset : 1 + lowestBit(later)
    const first = block * BLOCK + offset
    const end = Math.min(first + length, this.population.size)
    const memberIndexes: number[] = []
    for (let position = first; position < end; position++) {
      memberIndexes.push(position === knownPosition ? knownIndex : this.shuffle.inverse(position))
    }
    return { number: first, memberIndexes }
  }

  /** The household the citizen at `index` belongs to. */
  ofCitizen (index: number): HouseholdSlots {
    const position = this.shuffle.forward(index)
    const block = Math.floor(position / BLOCK)
    const starts = this.cuts(block)
    const offset = position - block * BLOCK
    // The last start at or below the citizen's offset.
    const start = 31 - Math.clz32(starts & ((2 << offset) - 1))
    return this.slotsAt(block, starts, start, position, index)
  }

  /** The household with that number, or undefined when no household starts there. */
  byNumber (number: number): HouseholdSlots | undefined {
    if (!Number.isSafeInteger(number) || number < 0 || number >= this.population.size) return undefined
    const block = Math.floor(number / BLOCK)
    const starts = this.cuts(block)
    const offset = number - block * BLOCK
    return (starts & (1 << offset)) === 0 ? undefined : this.slotsAt(block, starts, offset)
  }
}

/** Position of the lowest set bit of a non-zero 32-bit integer. */
function lowestBit (bits: number): number {
  return 31 - Math.clz32(bits & -bits)
}
