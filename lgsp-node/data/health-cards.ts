// Health-insurance card terms as a pure function of (seed, citizen index, birth, death, today): the
// beneficiary group follows age and a seeded situation, the validity a seeded renewal month, and the
// registered primary-care facility the household's commune. Only the small tables below are kept.
import type { BeneficiaryGroup, ContributionStatus, CardValidity, ParticipationType } from '../../contracts/insurance.js'
import { provinces } from '../../contracts/provinces.js'
import { padded2, padded3 } from './digits.js'
import { hashString, Rng, WeightedTable } from './hash.js'
import { twoDigitProvinceCodes } from './insurance.js'
import { isLeapYear, isoDate, isoDay, isoKey, isoMonth, isoMonthDay, isoYear } from './iso-dates.js'

/** Benefit level printed on the card, fixed by the group (Decision 1351/QĐ-BHXH). */
export const benefitLevels: Readonly<Record<BeneficiaryGroup, number>> = {
  TE: 1, CC: 1, HN: 2, HT: 3, CN: 3, DN: 4, HC: 4, HS: 4, SV: 4, GD: 4, XB: 4, NO: 4, QN: 5, CA: 5,
}
/** Share of covered costs paid by the fund, by benefit level. */
const coverage = [0, 100, 100, 95, 80, 100]

const participation: Readonly<Record<BeneficiaryGroup, ParticipationType>> = {
  DN: 'employment', HC: 'employment', HT: 'social-insurance-fund', XB: 'social-insurance-fund', NO: 'social-insurance-fund',
  TE: 'state-budget', HN: 'state-budget', CC: 'state-budget', QN: 'state-budget', CA: 'state-budget',
  CN: 'state-subsidised', HS: 'state-subsidised', SV: 'state-subsidised', GD: 'household',
}

/** Groups that pay for themselves (or through an employer who may stop): the ones whose card can lapse. */
const LAPSE_SHARE = 0.05
const lapsable: ReadonlySet<BeneficiaryGroup> = new Set(['DN', 'SV', 'GD'])

/** What a group fixes on the card, gathered once: drawing a group then costs no lookups by name. */
interface GroupTerms {
  readonly group: BeneficiaryGroup
  readonly benefitLevel: number
  readonly coveragePercent: number
  readonly participationType: ParticipationType
  readonly lapsable: boolean
}

const groupTerms = Object.fromEntries(Object.entries(benefitLevels).map(([group, benefitLevel]) => [group, {
  group: group as BeneficiaryGroup,
  benefitLevel,
  coveragePercent: coverage[benefitLevel] as number,
  participationType: participation[group as BeneficiaryGroup],
  lapsable: lapsable.has(group as BeneficiaryGroup),
}])) as Readonly<Record<BeneficiaryGroup, GroupTerms>>

function groups (entries: ReadonlyArray<readonly [BeneficiaryGroup, number]>): WeightedTable<GroupTerms> {
  return new WeightedTable(entries.map(([group, weight]) => [groupTerms[group], weight] as const))
}

// Situations by age once a child is past the under-six card: weights are rough national shares.
const pupils = groups([['HS', 88], ['HN', 8], ['CN', 4]])
const youngAdults = groups([['SV', 40], ['DN', 30], ['GD', 15], ['HN', 5], ['CN', 3], ['QN', 4], ['CA', 1], ['HC', 2]])
const workingAge = groups([['DN', 50], ['GD', 25], ['HC', 8], ['HN', 6], ['CN', 4], ['QN', 1.5], ['CA', 1.5], ['NO', 1], ['XB', 1]])
const elderly = groups([['HT', 40], ['GD', 30], ['DN', 6], ['HC', 3], ['HN', 7], ['CN', 3], ['CC', 6], ['XB', 5]])
/** The first day of each renewal month, in a year whose only use is its "-MM-DD". */
const RENEWAL_DAYS: readonly string[] = Array.from({ length: 12 }, (_, month) => isoDate(2000, month + 1, 1))
/** A birthday on or before 30 September ends the under-six card that day (any year: only "-MM-DD" is read). */
const SCHOOL_YEAR_START = '2000-09-30'
const SCHOOL_YEAR_END = 930
/** First-time household participants wait for the start of a month: a few cards are not valid yet. */
const PENDING_SHARE = 0.04
const ARREARS_SHARE = 0.04

export interface CardTerms {
  readonly group: BeneficiaryGroup
  readonly benefitLevel: number
  readonly coveragePercent: number
  readonly validFrom: string
  readonly validTo: string
  readonly participationType: ParticipationType
  readonly contributionStatus: ContributionStatus
  /** Uniform draw in [0, 1) that picks the registered facility, so the facility is seeded too. */
  readonly facilityDraw: number
}

function lastDayOfMonth (year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function dayBefore (year: number, month: number, day: number): string {
  if (day > 1) return isoDate(year, month, day - 1)
  return month > 1 ? isoDate(year, month - 1, lastDayOfMonth(year, month - 1)) : isoDate(year - 1, 12, 31)
}

function dayAfter (date: string): string {
  const year = isoYear(date)
  const month = isoMonth(date)
  const day = isoDay(date)
  if (day < lastDayOfMonth(year, month)) return isoDate(year, month, day + 1)
  return month < 12 ? isoDate(year, month + 1, 1) : isoDate(year + 1, 1, 1)
}

/** Whether the "MM-DD" of `date` comes before that of `other` (read as numbers when both are well formed). */
function monthDayBefore (date: string, other: string): boolean {
  const a = isoMonthDay(date)
  const b = isoMonthDay(other)
  return Number.isNaN(a + b) ? date.slice(5) < other.slice(5) : a < b
}

/** Whole years between a birth date and a later date (ISO strings compare as dates). */
export function ageOn (dateOfBirth: string, date: string): number {
  return isoYear(date) - isoYear(dateOfBirth) - (monthDayBefore(date, dateOfBirth) ? 1 : 0)
}

export function isUnderSix (dateOfBirth: string, today: string): boolean {
  return ageOn(dateOfBirth, today) < 6
}

/**
 * Last day of the under-six card: the day before the sixth birthday, or 30 September of that year
 * when the child turns six before the school year starts (Law on Health Insurance, art. 16).
 */
export function childCardEnd (dateOfBirth: string): string {
  const sixth = isoYear(dateOfBirth) + 6
  if (!monthDayBefore(SCHOOL_YEAR_START, dateOfBirth)) return isoDate(sixth, 9, 30)
  return dayBefore(sixth, isoMonth(dateOfBirth), isoDay(dateOfBirth))
}

function terms (fixed: GroupTerms, validFrom: string, validTo: string, contributionStatus: ContributionStatus, facilityDraw: number): CardTerms {
  return {
    group: fixed.group, benefitLevel: fixed.benefitLevel, coveragePercent: fixed.coveragePercent, validFrom, validTo,
    participationType: fixed.participationType, contributionStatus, facilityDraw,
  }
}

/** The card of a child under six: from birth to the end of the under-six cover, paid by the state. */
export function childCardTerms (dateOfBirth: string, facilityDraw: number): CardTerms {
  return terms(groupTerms.TE, dateOfBirth, childCardEnd(dateOfBirth), 'paid-up', facilityDraw)
}

/** childCardEnd of a well-formed birth date given as isoKey (y·10⁴ + m·10² + d). */
function childCardEndOfKey (birth: number): string {
  const sixth = Math.floor(birth / 10_000) + 6
  const monthDay = birth % 10_000
  if (monthDay <= SCHOOL_YEAR_END) return isoDate(sixth, 9, 30)
  const month = Math.floor(monthDay / 100)
  return dayBefore(sixth, month, monthDay - month * 100)
}

/** The current card of the generated citizen at `index`; a deceased holder's card ends on the day of death. */
export function cardTermsAt (seed: number, index: number, dateOfBirth: string, dateOfDeath: string | undefined, today: string): CardTerms {
  const rng = Rng.keyed(seed, 0x1b5ca, index)
  // Every draw is taken in the same order whatever the branch, so one draw never shifts another.
  const situation = rng.next()
  const renewalMonth = 1 + rng.below(12)
  const statusDraw = rng.next()
  const facilityDraw = rng.next()
  const deceased = dateOfDeath !== undefined && dateOfDeath <= today
  const asOf = deceased ? dateOfDeath : today
  // Both dates read once as numbers when well formed (always, for generated citizens); the string
  // functions otherwise, which give the same answers on well-formed dates.
  const birth = isoKey(dateOfBirth)
  const at = isoKey(asOf)
  const wellFormed = !Number.isNaN(birth + at)
  const childEnd = wellFormed ? childCardEndOfKey(birth) : childCardEnd(dateOfBirth)
  if (asOf <= childEnd) return terms(groupTerms.TE, dateOfBirth, deceased ? asOf : childEnd, deceased ? 'closed' : 'paid-up', facilityDraw)

  const age = wellFormed ? Math.floor(at / 10_000) - Math.floor(birth / 10_000) - (at % 10_000 < birth % 10_000 ? 1 : 0) : ageOn(dateOfBirth, asOf)
  const fixed = (age < 18 ? pupils : age < 23 ? youngAdults : age < 60 ? workingAge : elderly).at(situation)
  const group = fixed.group
  const year = wellFormed ? Math.floor(at / 10_000) : isoYear(asOf)
  // The period started this year once the renewal month has come (asOf's "MM-DD" ≥ "<month>-01").
  const beforeRenewal = wellFormed ? at % 10_000 < renewalMonth * 100 + 1 : monthDayBefore(asOf, RENEWAL_DAYS[renewalMonth - 1] as string)
  const periodYear = beforeRenewal ? year - 1 : year
  const firstDay = dayAfter(childEnd)
  const clamp = (date: string): string => date < firstDay ? firstDay : date
  if (deceased) return terms(fixed, clamp(isoDate(periodYear, renewalMonth, 1)), asOf, 'closed', facilityDraw)
  if (fixed.lapsable && statusDraw < LAPSE_SHARE) {
    return terms(fixed, clamp(isoDate(periodYear - 1, renewalMonth, 1)), dayBefore(periodYear, renewalMonth, 1), 'lapsed', facilityDraw)
  }
  if (group === 'GD' && statusDraw >= 1 - PENDING_SHARE) {
    const month = wellFormed ? Math.floor(at / 100) % 100 : isoMonth(asOf)
    const startYear = month === 12 ? year + 1 : year
    const startMonth = month === 12 ? 1 : month + 1
    return terms(fixed, isoDate(startYear, startMonth, 1), dayBefore(startYear + 1, startMonth, 1), 'paid-up', facilityDraw)
  }
  const inArrears = fixed.participationType === 'employment' && statusDraw >= 1 - ARREARS_SHARE
  return terms(fixed, clamp(isoDate(periodYear, renewalMonth, 1)), dayBefore(periodYear + 1, renewalMonth, 1), inArrears ? 'in-arrears' : 'paid-up', facilityDraw)
}

export function validityOn (validFrom: string, validTo: string, today: string): CardValidity {
  if (today < validFrom) return 'not-yet-valid'
  return today > validTo ? 'expired' : 'valid'
}


export interface FacilityPlace {
  readonly provinceIndex: number
  readonly communeCode: string
  readonly commune: string
  readonly district?: string | undefined
}

export interface Facility {
  readonly code: string
  readonly name: string
  readonly level: 'commune' | 'district' | 'province'
}

/** The provincial hospital of each province, and the two-digit prefix of its facilities' codes. */
const provincialCare = provinces.map((province, index) => {
  const prefix = twoDigitProvinceCodes[index] as string
  return { prefix, code: `${prefix}001`, name: `Bệnh viện Đa khoa ${province.kind === 'city' ? 'Thành phố' : 'tỉnh'} ${province.name}` }
})

/** Most people register at their commune health station, many at the district centre, a few at the provincial hospital. */
export function primaryCareFacility (place: FacilityPlace, draw: number): Facility {
  const provincial = provincialCare[place.provinceIndex] as typeof provincialCare[number]
  if (draw < 0.5 || place.district === undefined) {
    return { code: provincial.prefix + padded3(100 + hashString(place.communeCode) % 900), name: `Trạm Y tế ${place.commune}`, level: 'commune' }
  }
  if (draw < 0.88) {
    const district = place.district
    return { code: `${provincial.prefix}0${padded2(10 + hashString(district) % 90)}`, name: `Trung tâm Y tế ${district.charAt(0).toLowerCase()}${district.slice(1)}`, level: 'district' }
  }
  return { code: provincial.code, name: provincial.name, level: 'province' }
}
