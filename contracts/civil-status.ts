// Wire formats of the civil-status database (hộ tịch, Ministry of Justice): registration numbers,
// the eight kinds of record, a person's records, and the one write — registering a birth.
import { z } from 'zod'
import { personNameSchema } from './common-records.js'
import { civilEventTypes, genderSchema, isoDateSchema, personalIdSchema, type CivilEventPrefix } from './identifiers.js'

/** Generated records use serials below this; births registered through a node are numbered from it. */
export const REGISTERED_SERIAL_FROM = 99_000_000
export const FIRST_REGISTRATION_YEAR = 1900
export const LAST_REGISTRATION_YEAR = 2099

const SHAPE = 'KS-2019-04839201: event prefix, "-", 4-digit registration year, "-", 8-digit serial'
const PREFIX_LIST = Object.entries(civilEventTypes).map(([prefix, type]) => `${prefix} (${type})`).join(', ')

export interface RegistrationNumberParts {
  readonly prefix: CivilEventPrefix
  readonly year: number
  readonly serial: number
}

/** A short, printable excerpt of untrusted input for an error message. */
function excerpt (value: string): string {
  const shown = value.length > 24 ? `${value.slice(0, 24)}…` : value
  return JSON.stringify(shown)
}

/** Explains why a string is not a registration number, or returns undefined when it is well formed. */
export function registrationNumberProblem (value: string): string | undefined {
  const parts = value.split('-')
  if (parts.length !== 3) return `registration number must look like ${SHAPE}; got ${excerpt(value)} (${value.length} characters)`
  const [prefix = '', year = '', serial = ''] = parts
  if (!Object.hasOwn(civilEventTypes, prefix)) {
    const hint = /^[a-z]+$/.test(prefix) && Object.hasOwn(civilEventTypes, prefix.toUpperCase()) ? ' (prefixes are capital letters)' : ''
    return `registration prefix ${excerpt(prefix)} is not an event type${hint}; use one of ${PREFIX_LIST}`
  }
  if (!/^\d{4}$/.test(year)) return `registration year must be 4 digits, e.g. 2019; got ${excerpt(year)}`
  const numericYear = Number(year)
  if (numericYear < FIRST_REGISTRATION_YEAR || numericYear > LAST_REGISTRATION_YEAR) {
    return `registration year ${year} is outside ${FIRST_REGISTRATION_YEAR}–${LAST_REGISTRATION_YEAR}`
  }
  if (!/^\d*$/.test(serial)) return `registration serial must be digits only; got ${excerpt(serial)}`
  if (serial.length !== 8) return `registration serial must be exactly 8 digits; got ${serial.length}`
  return undefined
}

/** The parts of a registration number already checked by registrationNumberProblem. */
export function registrationNumberParts (value: string): RegistrationNumberParts {
  const [prefix, year, serial] = value.split('-')
  return { prefix: prefix as CivilEventPrefix, year: Number(year), serial: Number(serial) }
}

export function formatRegistrationNumber (prefix: CivilEventPrefix, year: number, serial: number): string {
  return `${prefix}-${year}-${String(serial).padStart(8, '0')}`
}

export const civilRegistrationNumberSchema = z.string().superRefine((value, context) => {
  const problem = registrationNumberProblem(value)
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
}).meta({ id: 'CivilRegistrationNumber', description: `Civil-status registration number: ${SHAPE}. Prefixes: ${PREFIX_LIST}`, example: 'KS-2019-04839201' })

export const registrationNumberParamsSchema = z.object({ registrationNumber: civilRegistrationNumberSchema }).strict()
export const civilPersonParamsSchema = z.object({ personalId: personalIdSchema }).strict()

/** A person as a record names them; equal to the population database's record of the same ID. */
export const civilPersonSchema = z.object({
  personalId: z.string(),
  fullName: z.string(),
  gender: genderSchema,
  dateOfBirth: isoDateSchema,
}).meta({ id: 'CivilPerson' })
export type CivilPerson = z.infer<typeof civilPersonSchema>

/** The registered child: no personal ID until the population database issues one. */
const childSchema = civilPersonSchema.extend({ personalId: z.string().optional() })

export const civilPlaceSchema = z.object({
  communeCode: z.string().regex(/^\d{5}$/),
  commune: z.string(),
  district: z.string(),
  provinceCode: z.string().regex(/^\d{3}$/),
  province: z.string(),
}).meta({ id: 'CivilPlace', description: 'A commune with its district and province, as they were named at registration' })
export type CivilPlace = z.infer<typeof civilPlaceSchema>

const authoritySchema = z.object({ name: z.string().describe('e.g. Ủy ban nhân dân xã Tân An'), ...civilPlaceSchema.shape })

export const declarantRelationships = ['father', 'mother', 'grandparent', 'sibling', 'relative', 'other'] as const

/** Every record: its number and type first, then where it sits in the register, then its own fields. */
function recordOf<P extends CivilEventPrefix, F extends z.ZodRawShape> (prefix: P, fields: F) {
  return z.object({
    registrationNumber: z.string(),
    type: z.literal(civilEventTypes[prefix]),
    book: z.string().describe('Register book, e.g. Quyển số 01/2019'),
    page: z.number().int().min(1),
    registrationDate: isoDateSchema,
    issuingAuthority: authoritySchema,
    source: z.enum(['generated', 'registered']).describe('registered: written through this node (the write overlay)'),
    ...fields,
  })
}

export const birthRecordSchema = recordOf('KS', {
  child: childSchema,
  father: civilPersonSchema.optional(),
  mother: civilPersonSchema.optional(),
  placeOfBirth: civilPlaceSchema,
  declarant: z.object({ fullName: z.string(), relationship: z.enum(declarantRelationships), personalId: z.string().optional() }).optional(),
}).meta({ id: 'BirthRecord' })
export type BirthRecord = z.infer<typeof birthRecordSchema>

const marriageRecordSchema = recordOf('KH', { husband: civilPersonSchema, wife: civilPersonSchema })
const deathRecordSchema = recordOf('KT', { deceased: civilPersonSchema, dateOfDeath: isoDateSchema, placeOfDeath: civilPlaceSchema })
const guardianshipRecordSchema = recordOf('GH', { ward: civilPersonSchema, guardian: civilPersonSchema })
const recognitionRecordSchema = recordOf('NCC', { child: civilPersonSchema, parent: civilPersonSchema, parentRole: z.enum(['father', 'mother']) })
const adoptionRecordSchema = recordOf('NCN', { child: civilPersonSchema, adoptiveFather: civilPersonSchema.optional(), adoptiveMother: civilPersonSchema.optional() })
export const changeKinds = ['change', 'correction', 'ethnicity-redetermination'] as const
export const changedFields = ['familyName', 'middleName', 'givenName', 'dateOfBirth', 'placeOfBirth', 'ethnicity'] as const
const changeRecordSchema = recordOf('TD', { subject: civilPersonSchema, kind: z.enum(changeKinds), field: z.enum(changedFields) })
export const certificatePurposes = ['marriage-registration', 'property-transaction', 'employment', 'other'] as const
const maritalStatusCertificateSchema = recordOf('XNHN', {
  subject: civilPersonSchema,
  maritalStatus: z.enum(['single', 'married']).describe('As of the registration date'),
  purpose: z.enum(certificatePurposes),
})

export const civilRecordSchema = z.discriminatedUnion('type', [
  birthRecordSchema, marriageRecordSchema, deathRecordSchema, guardianshipRecordSchema, recognitionRecordSchema,
  adoptionRecordSchema, changeRecordSchema, maritalStatusCertificateSchema,
]).meta({ id: 'CivilRecord' })
export type CivilRecord = z.infer<typeof civilRecordSchema>
export type CivilRecordOf<T extends CivilRecord['type']> = Extract<CivilRecord, { type: T }>

export const personCivilRecordsSchema = z.object({
  personalId: z.string(),
  records: z.array(civilRecordSchema).describe('Every event the person takes part in, oldest registration first'),
}).meta({ id: 'PersonCivilRecords' })
export type PersonCivilRecords = z.infer<typeof personCivilRecordsSchema>

export const birthRegistrationRequestSchema = z.object({
  fullName: personNameSchema,
  gender: genderSchema,
  dateOfBirth: isoDateSchema,
  placeOfBirth: z.object({
    provinceCode: z.string().regex(/^\d{3}$/, 'province code must be 3 digits, e.g. 001'),
    communeCode: z.string().regex(/^\d{5}$/, 'commune code must be 5 digits, e.g. 00004'),
  }).strict(),
  fatherId: personalIdSchema.optional(),
  motherId: personalIdSchema.optional(),
  declarant: z.object({
    fullName: personNameSchema,
    relationship: z.enum(declarantRelationships),
    personalId: personalIdSchema.optional(),
  }).strict(),
}).strict().meta({ id: 'BirthRegistrationRequest' })
export type BirthRegistrationRequest = z.infer<typeof birthRegistrationRequestSchema>
