// The full population record of a generated citizen: core facts plus household, family links and
// residence, all derived from the household the shuffle puts them in.
import { provinceNameAt, provinces, type Province, type ProvinceView } from '../../contracts/provinces.js'
import type { CitizenCore } from './citizens.js'
import { addressIn, communeInProvince, type Address } from './communes.js'
import type { NationalDataset } from './dataset.js'
import { padded2, padded8 } from './digits.js'
import { Rng, WeightedTable } from './hash.js'
import { householdHead, householdPeople, peopleOfCitizen, type HouseholdMember, type HouseholdPeople } from './household-members.js'
import type { DescribedCitizen } from './population-index.js'

export { familyLinks, type FamilyLinks, type HouseholdMember, type Relation } from './household-members.js'

export interface HouseholdView {
  readonly householdId: string
  readonly number: number
  readonly members: readonly HouseholdMember[]
  readonly address: Address
}

const residenceProvince = new WeightedTable(provinces.map((province, index) => [index, province.populationMillions] as const))
const HOUSEHOLD_ID_PREFIX = 'HH'

export function householdId (number: number): string {
  if (!Number.isInteger(number) || number < 0 || number >= 1e10) return `${HOUSEHOLD_ID_PREFIX}${String(number).padStart(10, '0')}`
  const high = Math.floor(number / 1e8)
  return HOUSEHOLD_ID_PREFIX + padded2(high) + padded8(number - high * 1e8)
}

export function householdNumberOf (id: string): number | undefined {
  return /^HH\d{10}$/.test(id) ? Number(id.slice(2)) : undefined
}

/** Where a household lives, from its number and its head's province of birth. */
function householdAddress (dataset: NationalDataset, number: number, headProvince: number, view: ProvinceView): Address {
  const rng = Rng.keyed(dataset.seed, 0xad0, number)
  // Most households live in the head's province of birth; the rest moved, mostly to big cities.
  const provinceIndex = rng.chance(0.75) ? headProvince : residenceProvince.draw(rng)
  return addressIn(communeInProvince(provinceIndex, rng, dataset.seed), rng, view)
}

/** The household of `people` as the population database shows it: ID, members and address. */
export function viewOfPeople (dataset: NationalDataset, people: HouseholdPeople, view: ProvinceView): HouseholdView {
  const { number, members } = people
  const address = householdAddress(dataset, number, people.headProvince, view)
  return { householdId: householdId(number), number, members, address }
}

export type HouseholdHome = Omit<HouseholdView, 'members'>

/**
 * The household's ID and address without its members' IDs: only the head's birth province counts,
 * and the head is found from birth years, so the others' IDs are not derived (an insured person's card).
 */
export function homeOfCitizen (dataset: NationalDataset, index: number, view: ProvinceView): HouseholdHome {
  const slots = dataset.households.ofCitizen(index)
  const head = householdHead(dataset, slots)
  const address = householdAddress(dataset, slots.number, head < 0 ? 0 : dataset.population.birthProvinceAt(head), view)
  return { householdId: householdId(slots.number), number: slots.number, address }
}

export function householdView (dataset: NationalDataset, number: number, memberIndexes: readonly number[], view: ProvinceView): HouseholdView {
  return viewOfPeople(dataset, householdPeople(dataset, { number, memberIndexes }), view)
}

/** The household of the citizen at `index`; `self`, their ID parts when the caller has them already. */
export function householdOfCitizen (dataset: NationalDataset, index: number, view: ProvinceView, self?: DescribedCitizen): HouseholdView {
  return viewOfPeople(dataset, peopleOfCitizen(dataset, index, self), view)
}

export interface PlaceRef {
  readonly provinceCode: string
  readonly province: string
}

export function placeOf (provinceIndex: number, view: ProvinceView): PlaceRef {
  const province = provinces[provinceIndex] as Province
  return { provinceCode: view === '34' ? province.mergedInto : province.code, province: provinceNameAt(provinceIndex, view) }
}

/** Where the citizen actually lives: usually the household's address, sometimes elsewhere (work, study). */
export function currentResidence (dataset: NationalDataset, citizen: CitizenCore, household: HouseholdView, view: ProvinceView): Address {
  const rng = Rng.keyed(dataset.seed, 0xc0e, citizen.index)
  if (!rng.chance(0.12)) return household.address
  return addressIn(communeInProvince(residenceProvince.draw(rng), rng, dataset.seed), rng, view)
}
