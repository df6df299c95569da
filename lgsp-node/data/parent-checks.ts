// What makes someone a possible parent of a child born on a given day: the right gender, old enough,
// and alive at the birth (the father at the conception). Civil status checks it when it registers a
// birth, and population again when it issues the newborn's ID: each database holds its own line.
import { dayOfIso } from './calendar.js'
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
