// Vietnam's calendar (UTC+7, no daylight saving): the day and year that registrations, card validity
// and birth years in personal IDs are judged on, whatever the server's own time zone.
const VIETNAM_OFFSET_MS = 7 * 3_600_000

/** Today's date in Vietnam as YYYY-MM-DD. */
export function vietnamToday (now: Date = new Date()): string {
  return new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10)
}

/** The current year in Vietnam: from 17:00 UTC on 31 December it is already the next one. */
export function vietnamYear (now: Date = new Date()): number {
  return new Date(now.getTime() + VIETNAM_OFFSET_MS).getUTCFullYear()
}
