// The national dataset: every generated database hangs off this one object, built from a seed in
// about 10 ms and a few hundred kilobytes, whatever the population size.
import { citizenAt, type CitizenCore } from './citizens.js'
import { hashString } from './hash.js'
import { HouseholdIndex } from './households.js'
import { PopulationIndex } from './population-index.js'

export const DEFAULT_DATASET_SEED = 'ndxp-2026'
export const DEFAULT_POPULATION = 98_000_000

export class NationalDataset {
  readonly seed: number
  readonly population: PopulationIndex
  readonly households: HouseholdIndex

  constructor (seed: string = DEFAULT_DATASET_SEED, populationSize = DEFAULT_POPULATION) {
    this.seed = hashString(seed)
    this.population = new PopulationIndex(this.seed, populationSize)
    this.households = new HouseholdIndex(this.population)
  }

  get size (): number {
    return this.population.size
  }

  /** The generated citizen with that ID, or undefined (well-formed IDs of nobody included). */
  citizen (personalId: string): CitizenCore | undefined {
    const index = this.population.indexOf(personalId)
    return index < 0 ? undefined : citizenAt(this.population, index)
  }

  citizenAt (index: number): CitizenCore {
    return citizenAt(this.population, index)
  }
}
