// Wire formats of the insurance database (CSDL về bảo hiểm, Vietnam Social Security): insured people,
// their households and health-insurance cards, and the one write — a card for a child under six.
import { z } from 'zod'
import { personNameSchema } from './common-records.js'
import { beneficiaryGroups, genderSchema, isoDateSchema, personalIdProblem, personalIdSchema } from './identifiers.js'
import { relationSchema } from './population.js'
import { provinceIndexByCode } from './provinces.js'

const CODE_SHAPE = '10 digits (last two digits of the birth province code, then 8 digits, e.g. 7912345678) or a 12-digit personal ID'
const CARD_SHAPE = '15 characters: group (2 capital letters, e.g. TE) + benefit level (1–5) + province (2 digits) + 10-digit social-insurance code, e.g. TE1797912345678'

function isProvinceSuffix (twoDigits: string): boolean {
  return (provinceIndexByCode[Number(twoDigits)] ?? -1) >= 0
}

/** Explains why a string is neither a social-insurance code nor a personal ID; undefined when it is one. */
export function insuredKeyProblem (value: string): string | undefined {
  const badAt = value.search(/\D/)
  if (value.length !== 10 && value.length !== 12) {
    return `social-insurance code must be ${CODE_SHAPE}; got ${value.length} characters${badAt >= 0 ? ' including non-digits' : ''}`
  }
  if (badAt >= 0) return `social-insurance code must be digits only; character ${badAt + 1} is not a digit`
  if (value.length === 12) return personalIdProblem(value)
  if (!isProvinceSuffix(value.slice(0, 2))) return `social-insurance code digits 1–2 (${value.slice(0, 2)}) are not the last two digits of a province code (01 Hà Nội … 96 Cà Mau)`
  return undefined
}

/** Explains why a string is not a health-insurance card number; undefined when it is well formed. */
export function healthCardNumberProblem (value: string): string | undefined {
  if (value.length !== 15) return `health-insurance card number must be ${CARD_SHAPE}; got ${value.length} characters`
  const group = value.slice(0, 2)
  if (!/^[A-Z]{2}$/.test(group)) return `health-insurance card characters 1–2 must be the beneficiary group in capital letters (e.g. TE, HS, DN); got ${JSON.stringify(group)}`
  if (!(beneficiaryGroups as readonly string[]).includes(group)) return `health-insurance card group ${group} is not one of ${beneficiaryGroups.join(', ')}`
  if (!/^[1-5]$/.test(value.charAt(2))) return `health-insurance card character 3 must be the benefit level, a digit 1–5; got ${JSON.stringify(value.charAt(2))}`
  const badAt = value.slice(3).search(/\D/)
  if (badAt >= 0) return `health-insurance card characters 4–15 must be digits; character ${badAt + 4} is not a digit`
  if (!isProvinceSuffix(value.slice(3, 5))) return `health-insurance card characters 4–5 (${value.slice(3, 5)}) are not a province (01 Hà Nội … 96 Cà Mau)`
  if (!isProvinceSuffix(value.slice(5, 7))) return `health-insurance card characters 6–15 are the social-insurance code, whose first two digits (${value.slice(5, 7)}) must end a province code (01 Hà Nội … 96 Cà Mau)`
  return undefined
}

function fromProblem (problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, context) => {
    const message = problem(value)
    if (message !== undefined) context.addIssue({ code: 'custom', message })
  })
}

/** Path key of an insured person: since 1 August 2025 the personal ID is accepted beside the old code. */
export const insuredKeySchema = fromProblem(insuredKeyProblem)
  .meta({ id: 'InsuredKey', description: `Social-insurance code (mã số BHXH): ${CODE_SHAPE}`, example: '7912345678' })
export const healthCardLookupSchema = fromProblem(healthCardNumberProblem)
  .meta({ id: 'HealthCardLookupNumber', description: `Health-insurance card number: ${CARD_SHAPE}`, example: 'TE1797912345678' })

export const insuredParamsSchema = z.object({ code: insuredKeySchema }).strict()
export const healthCardParamsSchema = z.object({ cardNumber: healthCardLookupSchema }).strict()

export const beneficiaryGroupSchema = z.enum(beneficiaryGroups)
export type BeneficiaryGroup = z.infer<typeof beneficiaryGroupSchema>
export const cardValiditySchema = z.enum(['valid', 'expired', 'not-yet-valid'])
export type CardValidity = z.infer<typeof cardValiditySchema>
export const participationTypeSchema = z.enum(['employment', 'social-insurance-fund', 'state-budget', 'state-subsidised', 'household'])
  .describe('Who pays: employer and employee, the social-insurance fund (pensioners), the state budget, the state in part, or the household')
export type ParticipationType = z.infer<typeof participationTypeSchema>
export const contributionStatusSchema = z.enum(['paid-up', 'in-arrears', 'lapsed', 'closed'])
  .describe('in-arrears: the employer owes contributions (the card stays valid); lapsed: not renewed; closed: the holder died')
export type ContributionStatus = z.infer<typeof contributionStatusSchema>

export const primaryCareFacilitySchema = z.object({
  code: z.string().regex(/^\d{5}$/).describe('Facility code: 2-digit province + 3 digits'),
  name: z.string(),
  level: z.enum(['commune', 'district', 'province']),
}).meta({ id: 'PrimaryCareFacility' })

export const healthCardSummarySchema = z.object({
  cardNumber: z.string().regex(/^[A-Z]{2}[1-5]\d{12}$/),
  beneficiaryGroup: beneficiaryGroupSchema,
  benefitLevel: z.number().int().min(1).max(5),
  coveragePercent: z.number().int().min(0).max(100).describe('Share of covered costs the fund pays at the registered facility'),
  provinceCode: z.string().regex(/^\d{2}$/).describe('Province of residence, as in the card number'),
  validFrom: isoDateSchema,
  validTo: isoDateSchema,
  validity: cardValiditySchema.describe('Relative to today in Vietnam (UTC+7)'),
  primaryCareFacility: primaryCareFacilitySchema,
}).meta({ id: 'HealthCardSummary' })
export type HealthCardSummary = z.infer<typeof healthCardSummarySchema>

const identity = {
  socialInsuranceCode: z.string().regex(/^\d{10}$/),
  personalId: z.string().regex(/^\d{12}$/),
  fullName: z.string(),
  dateOfBirth: isoDateSchema,
  gender: genderSchema,
}

export const insuredPersonSchema = z.object({
  ...identity,
  householdId: z.string(),
  status: z.enum(['alive', 'deceased']),
  participationType: participationTypeSchema,
  contributionStatus: contributionStatusSchema,
  card: healthCardSummarySchema,
  source: z.enum(['generated', 'registered']).describe('registered: the card was issued through this node (the write overlay)'),
}).meta({ id: 'InsuredPerson' })
export type InsuredPerson = z.infer<typeof insuredPersonSchema>

export const insuredHouseholdSchema = z.object({
  householdId: z.string(),
  members: z.array(z.object({ ...identity, relationToHead: relationSchema, card: healthCardSummarySchema })),
}).meta({ id: 'InsuredHousehold' })
export type InsuredHousehold = z.infer<typeof insuredHouseholdSchema>

export const healthCardSchema = healthCardSummarySchema.extend({
  holder: z.object(identity),
  checkedOn: isoDateSchema.describe('The day validity was judged against'),
  source: z.enum(['generated', 'registered']),
}).meta({ id: 'HealthCard' })
export type HealthCard = z.infer<typeof healthCardSchema>

export const issueChildCardRequestSchema = z.object({
  personalId: personalIdSchema,
  fullName: personNameSchema,
  dateOfBirth: isoDateSchema,
  gender: genderSchema,
  /** The civil-status birth registration the request comes from, when it does. */
  birthRegistrationNumber: z.string().regex(/^KS-\d{4}-\d{8}$/, 'birth registration number must look like KS-2026-00000001').optional(),
  motherId: personalIdSchema.optional().describe('The child\'s mother, when known: the card is registered in her household, as population registers the child'),
  fatherId: personalIdSchema.optional().describe('The child\'s father, when known and the mother is not given'),
}).strict().meta({ id: 'IssueChildCardRequest' })
export type IssueChildCardRequest = z.infer<typeof issueChildCardRequestSchema>
