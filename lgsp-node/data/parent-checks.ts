// A child's parents as the national databases see them: who can be a parent of a child born on a given
// day (the right gender, old enough, alive at the birth or, for the father, at the conception), which
// civil status checks when it registers a birth and population again when it issues the ID; and the
// generated household a newborn joins through a parent, shared by population and insurance.
import { dayOfIso } from './calendar.js'
import type { NationalDataset } from './dataset.js'
import type { HouseholdMember, Relation } from './household-members.js'
import type { Gender } from './population-index.js'

export type ParentField = 'fatherId' | 'motherId'

export interface ParentFacts {
  readonly gender: Gender
  readonly dateOfBirth: string
  readonly dateOfDeath?: string | undefined
}

export const MIN_PARENT_AGE_YEARS = 12
/** A father may die before the birth, but not before the conception. */
const FATHER_DEATH_BEFORE_BIRTH_DAYS = 300

/** Why `parent` cannot be the child's `field`, or undefined when they can. */
export function parentProblem (field: ParentField, parent: ParentFacts, birthDay: number): string | undefined {
  const expected = field === 'fatherId' ? 'male' : 'female'
  if (parent.gender !== expected) return `${field} names a ${parent.gender === 'male' ? 'man' : 'woman'}; the ${field === 'fatherId' ? 'father' : 'mother'} must be ${expected}`
  if (birthDay - dayOfIso(parent.dateOfBirth) < MIN_PARENT_AGE_YEARS * 365) {
    return `${field} names a citizen born on ${parent.dateOfBirth}, under ${MIN_PARENT_AGE_YEARS} at the child's birth`
  }
  const diedBefore = field === 'fatherId' ? birthDay - FATHER_DEATH_BEFORE_BIRTH_DAYS : birthDay
  if (parent.dateOfDeath !== undefined && dayOfIso(parent.dateOfDeath) < diedBefore) {
    return `${field} names a citizen who died on ${parent.dateOfDeath}, before the child's ${field === 'fatherId' ? 'conception' : 'birth'}`
  }
  return undefined
}

/** The index of a child's mother, else its father, when that parent is a generated citizen. */
export function generatedParentIndex (dataset: NationalDataset, parents: { readonly motherId?: string | undefined, readonly fatherId?: string | undefined }): number | undefined {
  for (const parentId of [parents.motherId, parents.fatherId]) {
    const index = parentId === undefined ? -1 : dataset.population.indexOf(parentId)
    if (index >= 0) return index
  }
  return undefined
}

/**
 * A newborn's relation to the head of the household it joins through `parentIndex`: a child of the
 * head or spouse, else a grandchild (the register's "cháu").
 */
export function newbornRelation (members: readonly HouseholdMember[], parentIndex: number | undefined): Relation {
  const parent = members.find((member) => member.index === parentIndex)?.relation
  return parent === 'head' || parent === 'spouse' ? 'child' : 'grandchild'
}
