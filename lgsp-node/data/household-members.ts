// Who lives in a household and how they are related. Relations follow from birth year and gender,
// which the population's buckets give without deriving anyone's ID; a member's ID is derived only
// when asked for (a birth record names the parents, not the siblings), once, and reused.
import type { NationalDataset } from './dataset.js'
import type { HouseholdSlots } from './households.js'
import { bucketBirthYear, bucketGender, bucketProvince, type DescribedCitizen, type Gender, type PopulationIndex } from './population-index.js'

export type Relation = 'head' | 'spouse' | 'child' | 'grandchild' | 'sibling'

export interface HouseholdMember {
  readonly index: number
  readonly personalId: string
  readonly relation: Relation
  readonly birthYear: number
  readonly gender: Gender
}

/** Oldest first, then by index: insertion sort of both arrays, as a household has at most seven members. */
function byAge (indexes: number[], buckets: number[]): void {
  for (let next = 1; next < indexes.length; next++) {
    const index = indexes[next] as number
    const bucket = buckets[next] as number
    const year = bucketBirthYear(bucket)
    let at = next
    for (; at > 0; at--) {
      const before = bucketBirthYear(buckets[at - 1] as number)
      if (before < year || (before === year && (indexes[at - 1] as number) < index)) break
      indexes[at] = indexes[at - 1] as number
      buckets[at] = buckets[at - 1] as number
    }
    indexes[at] = index
    buckets[at] = bucket
  }
}

/** Relations follow from age and gender alone: the oldest member heads the household. */
function relate (buckets: readonly number[]): Relation[] {
  const relations: Relation[] = []
  if (buckets.length === 0) return relations
  const headYear = bucketBirthYear(buckets[0] as number)
  const headGender = bucketGender(buckets[0] as number)
  let spouseTaken = false
  for (let at = 0; at < buckets.length; at++) {
    const birthYear = bucketBirthYear(buckets[at] as number)
    const gap = birthYear - headYear
    let relation: Relation
    if (at === 0) relation = 'head'
    else if (!spouseTaken && bucketGender(buckets[at] as number) !== headGender && gap <= 12 && 2025 - birthYear >= 18) {
      spouseTaken = true
      relation = 'spouse'
    } else if (gap >= 16 && gap <= 45) relation = 'child'
    else if (gap > 45) relation = 'grandchild'
    else relation = 'sibling'
    relations.push(relation)
  }
  return relations
}

/** A household's members, oldest first (birth year, then index), with their relations to the head. */
export class HouseholdPeople {
  /** Citizen indexes, oldest first. */
  readonly indexes: readonly number[]
  readonly relations: readonly Relation[]
  /** Position of the spouse, -1 when none. */
  readonly spouse: number
  private readonly buckets: readonly number[]
  private readonly parts: Array<DescribedCitizen | undefined>
  private cachedMembers: HouseholdMember[] | undefined

  constructor (private readonly population: PopulationIndex, readonly number: number, indexes: number[], buckets: number[]) {
    byAge(indexes, buckets)
    this.indexes = indexes
    this.buckets = buckets
    this.relations = relate(buckets)
    this.spouse = this.relations.indexOf('spouse')
    // Filled in as members are described (a sparse array: most lookups describe a few members only).
    this.parts = []
  }

  get size (): number {
    return this.indexes.length
  }

  /** The member's position, -1 for someone outside the household. */
  positionOf (index: number): number {
    return this.indexes.indexOf(index)
  }

  birthYearAt (position: number): number {
    return bucketBirthYear(this.buckets[position] as number)
  }

  genderAt (position: number): Gender {
    return bucketGender(this.buckets[position] as number)
  }

  /** Birth province of the head (0 for an empty household): where the household most likely lives. */
  get headProvince (): number {
    return this.buckets.length === 0 ? 0 : bucketProvince(this.buckets[0] as number)
  }

  /** The member's ID parts, derived once. */
  described (position: number): DescribedCitizen {
    let parts = this.parts[position]
    if (parts === undefined) {
      parts = this.population.describeInBucket(this.indexes[position] as number, this.buckets[position] as number)
      this.parts[position] = parts
    }
    return parts
  }

  /** Records a member's ID parts the caller already has. */
  know (position: number, parts: DescribedCitizen): void {
    this.parts[position] = parts
  }

  /** Every member with their ID: the household as the population database lists it. */
  get members (): readonly HouseholdMember[] {
    if (this.cachedMembers === undefined) {
      const members: HouseholdMember[] = []
      for (let at = 0; at < this.indexes.length; at++) {
        const parts = this.described(at)
        members.push({ index: this.indexes[at] as number, personalId: parts.personalId, relation: this.relations[at] as Relation, birthYear: parts.birthYear, gender: parts.gender })
      }
      this.cachedMembers = members
    }
    return this.cachedMembers
  }

  /** familyLinks of the member at `position`, by position rather than by comparing IDs. */
  linksAt (position: number): FamilyLinks {
    const { father, mother } = this.parentsOf(position)
    const relation = this.relations[position]
    const spouse = relation === 'head' ? this.spouse : relation === 'spouse' ? 0 : -1
    return {
      fatherId: father < 0 ? undefined : this.described(father).personalId,
      motherId: mother < 0 ? undefined : this.described(mother).personalId,
      spouseId: spouse < 0 ? undefined : this.described(spouse).personalId,
    }
  }

  /** Positions of the father and mother of the member at `position` (-1 for none): a child's are the head and the spouse. */
  parentsOf (position: number): { readonly father: number, readonly mother: number } {
    if (this.relations[position] !== 'child') return { father: -1, mother: -1 }
    // The father is the first of head and spouse who is male, the mother the first who is female.
    const spouseGender = this.spouse < 0 ? undefined : this.genderAt(this.spouse)
    const father = this.genderAt(0) === 'male' ? 0 : spouseGender === 'male' ? this.spouse : -1
    const mother = this.genderAt(0) === 'female' ? 0 : spouseGender === 'female' ? this.spouse : -1
    return { father, mother }
  }
}

/** The members of a household; `self`, when given, is one of them already described (index and parts). */
export function householdPeople (dataset: NationalDataset, slots: HouseholdSlots, selfIndex = -1, self?: DescribedCitizen): HouseholdPeople {
  const { population } = dataset
  const indexes: number[] = []
  const buckets: number[] = []
  for (const index of slots.memberIndexes) {
    indexes.push(index)
    buckets.push(population.bucketAt(index))
  }
  const people = new HouseholdPeople(population, slots.number, indexes, buckets)
  if (self !== undefined) {
    const position = people.positionOf(selfIndex)
    if (position >= 0) people.know(position, self)
  }
  return people
}

/** The people of the household the citizen at `index` belongs to. */
export function peopleOfCitizen (dataset: NationalDataset, index: number, self?: DescribedCitizen): HouseholdPeople {
  return householdPeople(dataset, dataset.households.ofCitizen(index), index, self)
}

/** The household's head (its oldest member, the lowest index among the oldest), found from birth years alone; -1 when empty. */
export function householdHead (dataset: NationalDataset, slots: HouseholdSlots): number {
  let head = -1
  let headYear = 0
  for (const index of slots.memberIndexes) {
    const year = dataset.population.birthYearAt(index)
    if (head < 0 || year < headYear || (year === headYear && index < head)) {
      head = index
      headYear = year
    }
  }
  return head
}

export interface FamilyLinks {
  readonly fatherId: string | undefined
  readonly motherId: string | undefined
  readonly spouseId: string | undefined
}

export function familyLinks (household: { readonly members: readonly HouseholdMember[] }, personalId: string): FamilyLinks {
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
