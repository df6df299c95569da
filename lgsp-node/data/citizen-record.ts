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

type Described = ReturnType<NationalDataset['population']['describe']>

/** Oldest first, then by index: insertion sort, as a household has at most seven members. */
function byAge (people: Described[], indexes: number[]): void {
  for (let next = 1; next < people.length; next++) {
    const person = people[next] as Described
    const index = indexes[next] as number
    let at = next
    for (; at > 0; at--) {
      const before = people[at - 1] as Described
      if (before.birthYear < person.birthYear || (before.birthYear === person.birthYear && (indexes[at - 1] as number) < index)) break
      people[at] = before
      indexes[at] = indexes[at - 1] as number
    }
    people[at] = person
    indexes[at] = index
  }
}

/** Relations follow from age and gender alone: the oldest member heads the household. */
function relate (people: Described[], indexes: number[]): HouseholdMember[] {
  const head = people[0]
  const members: HouseholdMember[] = []
  if (head === undefined) return members
  let spouseTaken = false
  for (let at = 0; at < people.length; at++) {
    const person = people[at] as Described
    const gap = person.birthYear - head.birthYear
    let relation: Relation
    if (at === 0) relation = 'head'
    else if (!spouseTaken && person.gender !== head.gender && gap <= 12 && 2025 - person.birthYear >= 18) {
      spouseTaken = true
      relation = 'spouse'
    } else if (gap >= 16 && gap <= 45) relation = 'child'
    else if (gap > 45) relation = 'grandchild'
    else relation = 'sibling'
    members.push({ index: indexes[at] as number, personalId: person.personalId, relation, birthYear: person.birthYear, gender: person.gender })
  }
  return members
}

export function householdView (dataset: NationalDataset, number: number, memberIndexes: readonly number[], view: ProvinceView): HouseholdView {
  const people: Described[] = []
  const indexes: number[] = []
  for (const index of memberIndexes) {
    people.push(dataset.population.describe(index))
    indexes.push(index)
  }
  byAge(people, indexes)
  const members = relate(people, indexes)
  const rng = new Rng(hashInts(dataset.seed, 0xad0, number))
  const headProvince = people[0] === undefined ? 0 : people[0].provinceIndex
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
  const members = household.members
  const head = members[0]
  let self: HouseholdMember | undefined
  let spouse: HouseholdMember | undefined
  for (const member of members) {
    if (self === undefined && member.personalId === personalId) self = member
    if (spouse === undefined && member.relation === 'spouse') spouse = member
  }
  if (self === undefined || head === undefined) return { fatherId: undefined, motherId: undefined, spouseId: undefined }
  // A child's parents are the head and the spouse; the father is the first of them who is male.
  const isChild = self.relation === 'child'
  const father = !isChild ? undefined : head.gender === 'male' ? head : spouse?.gender === 'male' ? spouse : undefined
  const mother = !isChild ? undefined : head.gender === 'female' ? head : spouse?.gender === 'female' ? spouse : undefined
  return {
    fatherId: father?.personalId,
    motherId: mother?.personalId,
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
