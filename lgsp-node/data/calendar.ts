// Calendar arithmetic on ISO dates as whole days since 1970-01-01, in integer maths: generators pick
// dates inside windows (after a birthday, before a death) millions of times, where Date objects cost more.
import { isLeapYear, isoDate, isoDay, isoMonth, isoMonthDay, isoYear } from './iso-dates.js'

export { isLeapYear, isoDate, isoOfYearDay } from './iso-dates.js'

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1–12); out-of-range days roll over. */
export function dayNumber (year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  if ((y | 0) === y && y >= 0 && (month | 0) === month && month >= 1 && (day | 0) === day) {
    // Integer divisions: truncation is floor for the non-negative values of every date from year 1 on.
    const era = (y / 400) | 0
    const yearOfEra = y - era * 400
    const dayOfYear = (((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) | 0) + day - 1
    return era * 146_097 + yearOfEra * 365 + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0) + dayOfYear - 719_468
  }
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

export function dayOfIso (iso: string): number {
  return dayNumber(isoYear(iso), isoMonth(iso), isoDay(iso))
}

/** The ISO date of a day number (the inverse of dayNumber). */
export function isoOfDay (dayCount: number): string {
  const z = dayCount + 719_468
  if ((z | 0) === z && z >= 0) {
    // Integer divisions: truncation is floor for the non-negative values of every date from year 0 on.
    const era = (z / 146_097) | 0
    const dayOfEra = z - era * 146_097
    const yearOfEra = ((dayOfEra - ((dayOfEra / 1460) | 0) + ((dayOfEra / 36_524) | 0) - ((dayOfEra / 146_096) | 0)) / 365) | 0
    const dayOfYear = dayOfEra - (365 * yearOfEra + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0))
    const shifted = ((5 * dayOfYear + 2) / 153) | 0
    const month = shifted < 10 ? shifted + 3 : shifted - 9
    return isoDate(yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (((153 * shifted + 2) / 5) | 0) + 1)
  }
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shifted = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1
  const month = shifted < 10 ? shifted + 3 : shifted - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  return isoDate(year, month, day)
}

/** The day someone born on `iso` turns `years` old (a 29 February birthday counts from 1 March). */
export function anniversaryDay (iso: string, years: number): number {
  return dayNumber(isoYear(iso) + years, isoMonth(iso), isoDay(iso))
}

/** The same calendar day `years` later; 29 February becomes 28 February in a common year. */
export function yearsAfter (iso: string, years: number): string {
  const year = isoYear(iso) + years
  const leap = isLeapYear(year)
  const monthDay = isoMonthDay(iso)
  if (monthDay >= 101 && monthDay <= 1231) {
    const month = Math.floor(monthDay / 100)
    const day = monthDay - month * 100
    if (day >= 1 && day <= 31) return isoDate(year, month, !leap && monthDay === 229 ? 28 : day)
  }
  return !leap && iso.endsWith('-02-29') ? `${year}-02-28` : `${year}${iso.slice(4)}`
}

/** The day number of yearsAfter(iso, years), without formatting and re-reading the date. */
export function dayYearsAfter (iso: string, years: number): number {
  const year = isoYear(iso) + years
  const month = isoMonth(iso)
  const day = isoDay(iso)
  return dayNumber(year, month, !isLeapYear(year) && month === 2 && day === 29 ? 28 : day)
}
