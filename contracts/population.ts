// Wire formats of the population database (CSDL quốc gia về dân cư, Ministry of Public Security).
import { z } from 'zod'
import { civilRegistrationNumberSchema } from './civil-status.js'
import { addressSchema, placeSchema, personNameSchema } from './common-records.js'
import { genderSchema, isoDateSchema, personalIdSchema } from './identifiers.js'

export const relationSchema = z.enum(['head', 'spouse', 'child', 'grandchild', 'sibling'])

export const citizenSchema = z.object({
  personalId: z.string(),
  fullName: z.string(),
  familyName: z.string(),
  middleName: z.string(),
  givenName: z.string(),
  gender: genderSchema,
  dateOfBirth: isoDateSchema,
  placeOfBirthRegistration: placeSchema,
  homeTown: placeSchema,
  ethnicity: z.string(),
  religion: z.string(),
  nationality: z.literal('Việt Nam'),
  permanentResidence: addressSchema,
  currentResidence: addressSchema,
  householdId: z.string(),
  relationToHead: relationSchema,
  headOfHouseholdId: z.string(),
  fatherId: z.string().optional(),
  motherId: z.string().optional(),
  spouseId: z.string().optional(),
  status: z.enum(['alive', 'deceased']),
  dateOfDeath: isoDateSchema.optional(),
  source: z.enum(['generated', 'registered']).describe('registered: issued through this node (the write overlay)'),
}).meta({ id: 'Citizen' })
export type Citizen = z.infer<typeof citizenSchema>

export const householdSchema = z.object({
  householdId: z.string(),
  address: addressSchema,
  members: z.array(z.object({
    personalId: z.string(),
    fullName: z.string(),
    gender: genderSchema,
    dateOfBirth: isoDateSchema,
    relationToHead: relationSchema,
  })),
}).meta({ id: 'Household' })

export const verifyIdentityRequestSchema = z.object({
  personalId: personalIdSchema,
  fullName: z.string().min(1).max(200),
  dateOfBirth: isoDateSchema,
}).strict().meta({ id: 'VerifyIdentityRequest' })

/**
 * Yes or no, and nothing else about a claim that does not match: which field differed, whether the ID
 * exists, or whether its holder lives would each let a verify-only client read the record back a
 * question at a time (the ID gives the birth year, so a per-field answer gives the birth date in 366 calls).
 */
export const verifyIdentityResponseSchema = z.object({
  match: z.boolean(),
  status: z.enum(['alive', 'deceased']).optional().describe('The holder\'s status, only when the claim matches'),
}).meta({ id: 'VerifyIdentityResponse' })

export const newbornRequestSchema = z.object({
  fullName: personNameSchema,
  gender: genderSchema,
  dateOfBirth: isoDateSchema,
  birthProvinceCode: z.string().regex(/^\d{3}$/, 'birth province code must be 3 digits, e.g. 001'),
  fatherId: personalIdSchema.optional(),
  motherId: personalIdSchema.optional(),
  /** The civil-status birth registration this request comes from; a repeat returns the same ID. */
  birthRegistrationNumber: civilRegistrationNumberSchema.refine((value) => value.startsWith('KS-'), 'a birth registration number starts with KS-, e.g. KS-2026-99000001'),
}).strict().meta({ id: 'NewbornRequest' })
export type NewbornRequest = z.infer<typeof newbornRequestSchema>

export const newbornResponseSchema = z.object({
  personalId: z.string(),
  birthRegistrationNumber: z.string(),
  issuedAt: z.string(),
}).meta({ id: 'NewbornResponse' })

export const personalIdParamsSchema = z.object({ personalId: personalIdSchema }).strict()
