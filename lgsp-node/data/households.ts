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

  /** Start offsets (within a block) of the households that the block is cut into. */
  private cuts (block: number): number[] {
    const rng = new Rng(hashInts(this.population.seed, 0xb10c, block))
    const starts: number[] = []
    let offset = 0
    while (offset < BLOCK) {
      starts.push(offset)
      let u = rng.next()
      let size = 1
      for (const weight of SIZE_WEIGHTS) {
        if (u < weight) break
        u -= weight
        size++
      }
      offset += Math.min(size, SIZE_WEIGHTS.length)
    }
    return starts
  }

  private slotsAt (block: number, starts: number[], which: number): HouseholdSlots {
    const first = block * BLOCK + (starts[which] as number)
    const end = Math.min(block * BLOCK + (starts[which + 1] ?? BLOCK), this.population.size)
    const memberIndexes: number[] = []
    for (let position = first; position < end; position++) memberIndexes.push(this.shuffle.inverse(position))
    return { number: first, memberIndexes }
  }

  /** The household the citizen at `index` belongs to. */
  ofCitizen (index: number): HouseholdSlots {
    const position = this.shuffle.forward(index)
    const block = Math.floor(position / BLOCK)
    const starts = this.cuts(block)
    const offset = position - block * BLOCK
    let which = starts.length - 1
    while ((starts[which] as number) > offset) which--
    return this.slotsAt(block, starts, which)
  }

  /** The household with that number, or undefined when no household starts there. */
  byNumber (number: number): HouseholdSlots | undefined {
    if (!Number.isSafeInteger(number) || number < 0 || number >= this.population.size) return undefined
    const block = Math.floor(number / BLOCK)
    const starts = this.cuts(block)
    const which = starts.indexOf(number - block * BLOCK)
    return which < 0 ? undefined : this.slotsAt(block, starts, which)
  }
}
