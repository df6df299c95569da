// Who lives in a household and how they are related, from the members' ID parts alone (birth year
// and gender). Each member is described once here; callers that need a member's core facts reuse
// that description rather than deriving the ID again.
import type { NationalDataset } from './dataset.js'
import type { HouseholdSlots } from './households.js'
import type { DescribedCitizen } from './population-index.js'

export type Relation = 'head' | 'spouse' | 'child' | 'grandchild' | 'sibling'

export interface HouseholdMember {
  readonly index: number
  readonly personalId: string
  readonly relation: Relation
  readonly birthYear: number
  readonly gender: 'male' | 'female'
}

export interface HouseholdPeople {
  readonly number: number
  /** Oldest first: the head, then the others by birth year and index. */
  readonly members: readonly HouseholdMember[]
  /** described[k] is members[k]'s ID parts. */
  readonly described: readonly DescribedCitizen[]
}

/** Oldest first, then by index: insertion sort, as a household has at most seven members. */
function byAge (people: DescribedCitizen[], indexes: number[]): void {
  for (let next = 1; next < people.length; next++) {
    const person = people[next] as DescribedCitizen
    const index = indexes[next] as number
    let at = next
    for (; at > 0; at--) {
      const before = people[at - 1] as DescribedCitizen
      if (before.birthYear < person.birthYear || (before.birthYear === person.birthYear && (indexes[at - 1] as number) < index)) break
      people[at] = before
      indexes[at] = indexes[at - 1] as number
    }
    people[at] = person
    indexes[at] = index
  }
}

/** Relations follow from age and gender alone: the oldest member heads the household. */
function relate (people: DescribedCitizen[], indexes: number[]): HouseholdMember[] {
  const head = people[0]
  const members: HouseholdMember[] = []
  if (head === undefined) return members
  let spouseTaken = false
  for (let at = 0; at < people.length; at++) {
    const person = people[at] as DescribedCitizen
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

/** The members of a household; `self`, when given, is one of them already described (index and parts). */
export function householdPeople (dataset: NationalDataset, slots: HouseholdSlots, selfIndex = -1, self?: DescribedCitizen): HouseholdPeople {
  const described: DescribedCitizen[] = []
  const indexes: number[] = []
  for (const index of slots.memberIndexes) {
    described.push(index === selfIndex && self !== undefined ? self : dataset.population.describe(index))
    indexes.push(index)
  }
  byAge(described, indexes)
  return { number: slots.number, members: relate(described, indexes), described }
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
