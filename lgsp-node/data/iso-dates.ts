// Reading and writing "YYYY-MM-DD" dates without substrings or templates: every generated record
// formats a few dates and compares or re-reads some, millions of times a second.
import { padded2 } from './digits.js'

const DASH = 45

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

// Each part is read from its characters; anything else is read as before, by Number() on the slice.
export function isoYear (iso: string): number {
  const year = digitsAt(iso, 0, 4)
  return Number.isNaN(year) ? Number(iso.slice(0, 4)) : year
}

export function isoMonth (iso: string): number {
  const month = digitsAt(iso, 5, 2)
  return Number.isNaN(month) ? Number(iso.slice(5, 7)) : month
}

export function isoDay (iso: string): number {
  const day = digitsAt(iso, 8, 2)
  return Number.isNaN(day) ? Number(iso.slice(8, 10)) : day
}

/**
 * month × 100 + day of a well-formed "YYYY-MM-DD" (10 characters, dashes, digits), else NaN: for
 * such dates, comparing these numbers compares the "MM-DD" substrings.
 */
export function isoMonthDay (iso: string): number {
  if (iso.length !== 10 || iso.charCodeAt(4) !== DASH || iso.charCodeAt(7) !== DASH) return Number.NaN
  return digitsAt(iso, 5, 2) * 100 + digitsAt(iso, 8, 2)
}

/** year × 10⁴ + month × 10² + day of a well-formed "YYYY-MM-DD" (10 characters, dashes, digits), else NaN. */
export function isoKey (iso: string): number {
  const monthDay = isoMonthDay(iso)
  return Number.isNaN(monthDay) ? monthDay : digitsAt(iso, 0, 4) * 10_000 + monthDay
}

export function isLeapYear (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

// From a table of years and one of "-MM-DD", a date is one concatenation rather than a template of
// five parts and three number conversions.
const FIRST_TABLED_YEAR = 1900
const yearStrings: readonly string[] = Array.from({ length: 300 }, (_, offset) => String(FIRST_TABLED_YEAR + offset))
const monthDays: readonly string[] = Array.from({ length: 12 * 31 }, (_, slot) => `-${padded2(Math.floor(slot / 31) + 1)}-${padded2(slot % 31 + 1)}`)

function yearString (year: number): string {
  return yearStrings[year - FIRST_TABLED_YEAR] ?? String(year)
}

/** "YYYY-MM-DD" of a valid date (month 1–12, day 1–31); years are not padded, as `${year}` does not. */
export function isoDate (year: number, month: number, day: number): string {
  return yearString(year) + (monthDays[(month - 1) * 31 + day - 1] as string)
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
