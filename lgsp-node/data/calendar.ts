// Calendar arithmetic on ISO dates as whole days since 1970-01-01, in integer maths: generators pick
// dates inside windows (after a birthday, before a death) millions of times, where Date objects cost more.
import { padded2 } from './digits.js'

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1–12); out-of-range days roll over. */
export function dayNumber (year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/** The number spelled by `count` characters from `from`, or NaN unless they are all digits. */
function digitsAt (text: string, from: number, count: number): number {
  let value = 0
  for (let at = from; at < from + count; at++) {
    const digit = text.charCodeAt(at) - 48
    if (!(digit >= 0 && digit <= 9)) return Number.NaN
    value = value * 10 + digit
  }
  return value
}

/** Year, month and day of "YYYY-MM-DD" read from the characters (no substrings); NaN parts otherwise. */
function isoParts (iso: string): [year: number, month: number, day: number] {
  const year = digitsAt(iso, 0, 4)
  const month = digitsAt(iso, 5, 2)
  const day = digitsAt(iso, 8, 2)
  // Anything else is read as before, by Number() on the slices.
  if (Number.isNaN(year + month + day)) return [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))]
  return [year, month, day]
}

export function dayOfIso (iso: string): number {
  const [year, month, day] = isoParts(iso)
  return dayNumber(year, month, day)
}

// Dates are formatted for every generated record: from a table of years and one of "-MM-DD", a
// date is one concatenation rather than a template of five parts and three number conversions.
const FIRST_TABLED_YEAR = 1900
const DASH = 45
const yearStrings: readonly string[] = Array.from({ length: 300 }, (_, offset) => String(FIRST_TABLED_YEAR + offset))
const monthDays: readonly string[] = Array.from({ length: 12 * 31 }, (_, slot) => `-${padded2(Math.floor(slot / 31) + 1)}-${padded2(slot % 31 + 1)}`)

function yearString (year: number): string {
  return yearStrings[year - FIRST_TABLED_YEAR] ?? String(year)
}

/** "YYYY-MM-DD" of a valid date (month 1–12, day 1–31); years are not padded, as `${year}` does not. */
export function isoDate (year: number, month: number, day: number): string {
  return yearString(year) + (monthDays[(month - 1) * 31 + day - 1] as string)
}

export function isLeapYear (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
/** "-MM-DD" of each 0-based day of a common year, then of a leap year. */
const yearDays: readonly [readonly string[], readonly string[]] = [false, true].map((leap) => {
  const days: string[] = []
  MONTH_LENGTHS.forEach((length, month) => {
    for (let day = 0; day < length + (leap && month === 1 ? 1 : 0); day++) days.push(monthDays[month * 31 + day] as string)
  })
  return days
}) as [string[], string[]]

/** ISO date of the given 0-based day of a year (0 ≤ dayOfYear < 365 or 366). */
export function isoOfYearDay (year: number, dayOfYear: number): string {
  return yearString(year) + (yearDays[isLeapYear(year) ? 1 : 0][dayOfYear] as string)
}

/** The ISO date of a day number (the inverse of dayNumber). */
export function isoOfDay (dayCount: number): string {
  const z = dayCount + 719_468
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
  const [year, month, day] = isoParts(iso)
  return dayNumber(year + years, month, day)
}

/** The same calendar day `years` later; 29 February becomes 28 February in a common year. */
export function yearsAfter (iso: string, years: number): string {
  const [from, month, day] = isoParts(iso)
  const year = from + years
  const leap = isLeapYear(year)
  if (iso.length === 10 && iso.charCodeAt(4) === DASH && iso.charCodeAt(7) === DASH && month >= 1 && month <= 12 && day >= 1 && day <= 31) {
    return isoDate(year, month, !leap && month === 2 && day === 29 ? 28 : day)
  }
  return !leap && iso.endsWith('-02-29') ? `${year}-02-28` : `${year}${iso.slice(4)}`
}

/** The day number of yearsAfter(iso, years), without formatting and re-reading the date. */
export function dayYearsAfter (iso: string, years: number): number {
  const [from, month, day] = isoParts(iso)
  const year = from + years
  return dayNumber(year, month, !isLeapYear(year) && month === 2 && day === 29 ? 28 : day)
}
