// Identifier formats, each a zod schema whose error says exactly what is wrong and how it should look:
// the personal ID, social-insurance and health-card numbers, land parcel keys, certificate serials
// and civil-status registration numbers. Lookups on every node validate their keys with these.
import { z } from 'zod'
import { provinceByCode } from './provinces.js'
import { vietnamYear } from './vietnam-time.js'

const PERSONAL_ID_SHAPE = '12 digits: province (3), century-and-gender (1), birth year (2), serial (6), e.g. 001090012345'

/** Explains why a string is not a personal ID, or returns undefined when it is well formed. */
export function personalIdProblem (value: string, now: Date = new Date()): string | undefined {
  if (value.length !== 12) return `personal ID must be ${PERSONAL_ID_SHAPE}; got ${value.length} characters`
  const badAt = value.search(/\D/)
  if (badAt >= 0) return `personal ID must be digits only; character ${badAt + 1} is not a digit`
  const provinceCode = value.slice(0, 3)
  if (provinceByCode(provinceCode) === undefined) return `personal ID digits 1–3 (${provinceCode}) are not a province code (001 Hà Nội … 096 Cà Mau)`
  const centuryGender = Number(value[3])
  if (centuryGender > 5) return `personal ID digit 4 (${centuryGender}) must be 0–5: 0/1 born 1900s male/female, 2/3 2000s, 4/5 2100s`
  const birthYear = 1900 + Math.floor(centuryGender / 2) * 100 + Number(value.slice(4, 6))
  if (birthYear > vietnamYear(now)) return `personal ID encodes birth year ${birthYear}, which is in the future`
  return undefined
}

export const personalIdSchema = z.string().superRefine((value, context) => {
  const problem = personalIdProblem(value)
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
}).meta({ id: 'PersonalId', description: `Personal identification number (số định danh cá nhân): ${PERSONAL_ID_SHAPE}`, example: '001090012345' })

/** Social-insurance code (mã số BHXH): 10 digits (2-digit province + 8); since August 2025 the 12-digit personal ID too. */
export const socialInsuranceCodeSchema = z.string().superRefine((value, context) => {
  if (/^\d{10}$/.test(value)) return
  if (/^\d{12}$/.test(value)) {
    const problem = personalIdProblem(value)
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
    return
  }
  context.addIssue({ code: 'custom', message: `social-insurance code must be 10 digits (e.g. 7912345678) or a 12-digit personal ID; got ${value.length} characters${/\D/.test(value) ? ' including non-digits' : ''}` })
}).meta({ id: 'SocialInsuranceCode', example: '7912345678' })

export const beneficiaryGroups = ['DN', 'HC', 'HT', 'TE', 'HS', 'SV', 'HN', 'CN', 'GD', 'CC', 'QN', 'CA', 'XB', 'NO'] as const

/** Health-insurance card number: group (2 letters) + benefit level (1–5) + province (2) + social-insurance code (10). */
export const healthCardNumberSchema = z.string().superRefine((value, context) => {
  const match = /^([A-Z]{2})([1-5])(\d{2})(\d{10})$/.exec(value)
  if (match === null) {
    context.addIssue({ code: 'custom', message: 'health-insurance card number must be 15 characters: group (2 capital letters, e.g. TE) + benefit level (1–5) + province (2 digits) + 10-digit social-insurance code, e.g. TE1797912345678' })
    return
  }
  const group = match[1] as string
  if (!(beneficiaryGroups as readonly string[]).includes(group)) context.addIssue({ code: 'custom', message: `health-insurance card group ${group} is not one of ${beneficiaryGroups.join(', ')}` })
}).meta({ id: 'HealthCardNumber', example: 'TE1797912345678' })

export const communeCodeSchema = z.string().regex(/^\d{5}$/, 'commune code must be 5 digits, e.g. 00004')
  .meta({ id: 'CommuneCode', example: '00004' })

/** A positive whole number in a path segment, e.g. a map sheet or parcel number. */
function numberSegment (what: string, max: number) {
  return z.string().regex(/^[1-9]\d{0,5}$/, `${what} must be a whole number from 1 to ${max} without leading zeros`)
    .transform(Number).pipe(z.number().int().min(1).max(max, `${what} must be at most ${max}`))
}
export const mapSheetSchema = numberSegment('map sheet number', 9999)
export const parcelNumberSchema = numberSegment('parcel number', 99999)

/** Land-use certificate serial: two capital letters and six digits, e.g. CS123456. */
export const certificateSerialSchema = z.string().regex(/^[A-Z]{2}\d{6}$/, 'certificate serial must be two capital letters and six digits, e.g. CS123456')
  .meta({ id: 'CertificateSerial', example: 'CS123456' })

export const civilEventTypes = {
  KS: 'birth', KH: 'marriage', KT: 'death', GH: 'guardianship', NCC: 'parent-child-recognition',
  NCN: 'adoption', TD: 'change-or-correction', XNHN: 'marital-status-certificate',
} as const
export type CivilEventPrefix = keyof typeof civilEventTypes
export type CivilEventType = typeof civilEventTypes[CivilEventPrefix]

/** Civil-status registration number: event prefix, registration year, 8-digit number, e.g. KS-2019-04839201. */
export const registrationNumberSchema = z.string().superRefine((value, context) => {
  const match = /^([A-Z]{2,4})-(\d{4})-(\d{8})$/.exec(value)
  if (match === null) {
    context.addIssue({ code: 'custom', message: 'registration number must look like KS-2019-04839201: event prefix, year, 8 digits' })
    return
  }
  if (!((match[1] as string) in civilEventTypes)) context.addIssue({ code: 'custom', message: `registration prefix ${match[1]} is not one of ${Object.keys(civilEventTypes).join(', ')}` })
}).meta({ id: 'RegistrationNumber', example: 'KS-2019-04839201' })

export const isoDateSchema = z.iso.date('date must be YYYY-MM-DD, e.g. 1990-05-17')
export const genderSchema = z.enum(['male', 'female'])
export const provinceViewSchema = z.enum(['63', '34']).default('63')
  .describe('Administrative view for addresses: 63 provinces (before 1 July 2025) or 34 (after)')
