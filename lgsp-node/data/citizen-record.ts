// The full population record of a generated citizen: core facts plus household, family links and
// residence, all derived from the household the shuffle puts them in.
import { provinceName, provinces, type Province, type ProvinceView } from '../../contracts/provinces.js'
import type { CitizenCore } from './citizens.js'
import { addressIn, communeInProvince, type Address } from './communes.js'
import type { NationalDataset } from './dataset.js'
import { hashInts, Rng, WeightedTable } from './hash.js'

export type Relation = 'head' | 'spouse' | 'child' | 'grandchild' | 'sibling'

export interface HouseholdMember {
  readonly index: number
  readonly personalId: string
  readonly relation: Relation
  readonly birthYear: number
  readonly gender: 'male' | 'female'
}

export interface HouseholdView {
  readonly householdId: string
  readonly number: number
  readonly members: readonly HouseholdMember[]
  readonly address: Address
}

const residenceProvince = new WeightedTable(provinces.map((province, index) => [index, province.populationMillions] as const))
const HOUSEHOLD_ID_PREFIX = 'HH'

export function householdId (number: number): string {
  return `${HOUSEHOLD_ID_PREFIX}${String(number).padStart(10, '0')}`
}

export function householdNumberOf (id: string): number | undefined {
  return /^HH\d{10}$/.test(id) ? Number(id.slice(2)) : undefined
}

/** Relations follow from age and gender alone: the oldest member heads the household. */
function relate (dataset: NationalDataset, memberIndexes: readonly number[]): HouseholdMember[] {
  const people: Array<{ index: number, personalId: string, birthYear: number, gender: 'male' | 'female' }> = []
  for (const index of memberIndexes) {
    const parts = dataset.population.describe(index)
    people.push({ index, personalId: parts.personalId, birthYear: parts.birthYear, gender: parts.gender })
  }
  people.sort((a, b) => a.birthYear - b.birthYear || a.index - b.index)
  const head = people[0]
  if (head === undefined) return []
  let spouseTaken = false
  const members: HouseholdMember[] = []
  for (const person of people) {
    const gap = person.birthYear - head.birthYear
    let relation: Relation
    if (person === head) relation = 'head'
    else if (!spouseTaken && person.gender !== head.gender && gap <= 12 && 2025 - person.birthYear >= 18) {
      spouseTaken = true
      relation = 'spouse'
    } else if (gap >= 16 && gap <= 45) relation = 'child'
    else if (gap > 45) relation = 'grandchild'
    else relation = 'sibling'
    members.push({ index: person.index, personalId: person.personalId, relation, birthYear: person.birthYear, gender: person.gender })
  }
  return members
}

export function householdView (dataset: NationalDataset, number: number, memberIndexes: readonly number[], view: ProvinceView): HouseholdView {
  const members = relate(dataset, memberIndexes)
  const rng = new Rng(hashInts(dataset.seed, 0xad0, number))
  const headProvince = members[0] === undefined ? 0 : dataset.population.describe(members[0].index).provinceIndex
  // Most households live in the head's province of birth; the rest moved, mostly to big cities.
  const provinceIndex = rng.chance(0.75) ? headProvince : residenceProvince.draw(rng)
  const address = addressIn(communeInProvince(provinceIndex, rng, dataset.seed), rng, view)
  return { householdId: householdId(number), number, members, address }
}

export function householdOfCitizen (dataset: NationalDataset, index: number, view: ProvinceView): HouseholdView {
  const slots = dataset.households.ofCitizen(index)
  return householdView(dataset, slots.number, slots.memberIndexes, view)
}

export interface FamilyLinks {
  readonly fatherId: string | undefined
  readonly motherId: string | undefined
  readonly spouseId: string | undefined
}

export function familyLinks (household: HouseholdView, personalId: string): FamilyLinks {
  const self = household.members.find((m) => m.personalId === personalId)
  const head = household.members[0]
  const spouse = household.members.find((m) => m.relation === 'spouse')
  if (self === undefined || head === undefined) return { fatherId: undefined, motherId: undefined, spouseId: undefined }
  const parents = self.relation === 'child' ? [head, spouse] : []
  return {
    fatherId: parents.find((p) => p?.gender === 'male')?.personalId,
    motherId: parents.find((p) => p?.gender === 'female')?.personalId,
    spouseId: self.relation === 'head' ? spouse?.personalId : self.relation === 'spouse' ? head.personalId : undefined,
  }
}

export interface PlaceRef {
  readonly provinceCode: string
  readonly province: string
}

export function placeOf (provinceIndex: number, view: ProvinceView): PlaceRef {
  const province = provinces[provinceIndex] as Province
  return { provinceCode: view === '34' ? province.mergedInto : province.code, province: provinceName(province, view) }
}

/** Where the citizen actually lives: usually the household's address, sometimes elsewhere (work, study). */
export function currentResidence (dataset: NationalDataset, citizen: CitizenCore, household: HouseholdView, view: ProvinceView): Address {
  const rng = new Rng(hashInts(dataset.seed, 0xc0e, citizen.index))
  if (!rng.chance(0.12)) return household.address
  return addressIn(communeInProvince(residenceProvince.draw(rng), rng, dataset.seed), rng, view)
}
