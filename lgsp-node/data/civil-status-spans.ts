// The citizens born in a range of years, counted densely (0 … size-1). Citizen indexes are
// province-major then year, so the span is one contiguous run per province: 63 numbers describe it,
// and "k-th person of the span" ↔ citizen index is a short binary search either way.
import { provinces } from '../../contracts/provinces.js'
import { FIRST_BIRTH_YEAR, type PopulationIndex } from './population-index.js'
import { lastStartAtOrBelow } from './prefix-search.js'

export class BirthYearSpan {
  readonly size: number
  /** First citizen index of the run in each province. */
  private readonly runStart: Float64Array
  /** Dense position of each province's run; runOffset[provinces.length] is the size. */
  private readonly runOffset: Float64Array

  constructor (population: PopulationIndex, readonly fromYear: number, readonly toYear: number) {
    this.runStart = new Float64Array(provinces.length)
    this.runOffset = new Float64Array(provinces.length + 1)
    let offset = 0
    for (let province = 0; province < provinces.length; province++) {
      let start = population.provinceRange(province)[0]
      for (let year = FIRST_BIRTH_YEAR; year < fromYear; year++) start += bornIn(population, province, year)
      let length = 0
      for (let year = fromYear; year <= toYear; year++) length += bornIn(population, province, year)
      this.runStart[province] = start
      this.runOffset[province] = offset
      offset += length
    }
    this.runOffset[provinces.length] = offset
    this.size = offset
  }

  /** The citizen index at a dense position (0 ≤ position < size). */
  indexAt (position: number): number {
    const low = lastStartAtOrBelow(this.runOffset, provinces.length - 1, position)
    return (this.runStart[low] as number) + position - (this.runOffset[low] as number)
  }

  /** The dense position of a citizen, or -1 when their birth year is outside the span. */
  positionOf (index: number, provinceIndex: number, birthYear: number): number {
    if (birthYear < this.fromYear || birthYear > this.toYear) return -1
    return (this.runOffset[provinceIndex] as number) + index - (this.runStart[provinceIndex] as number)
  }
}

function bornIn (population: PopulationIndex, provinceIndex: number, year: number): number {
  return population.generatedCount(provinceIndex, year, 'male') + population.generatedCount(provinceIndex, year, 'female')
}
