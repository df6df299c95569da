// Vietnam's calendar (UTC+7) at the turn of the year: the date and year the nodes judge by, and the
// birth year a personal ID may carry.
import t from 'tap'
import { personalIdProblem } from '../../contracts/identifiers.js'
import { vietnamToday, vietnamYear } from '../../contracts/vietnam-time.js'

const beforeMidnightInHanoi = new Date('2026-12-31T16:59:59.999Z')
const afterMidnightInHanoi = new Date('2026-12-31T17:00:00.000Z')
/** A Hà Nội boy born in 2027 (century-gender digit 2, year 27). */
const bornIn2027 = '001227000001'

t.test('the day and the year turn at 17:00 UTC', async (t) => {
  t.equal(vietnamToday(beforeMidnightInHanoi), '2026-12-31')
  t.equal(vietnamToday(afterMidnightInHanoi), '2027-01-01')
  t.equal(vietnamYear(beforeMidnightInHanoi), 2026)
  t.equal(vietnamYear(afterMidnightInHanoi), 2027)
})

t.test('a personal ID of a child born on 1 January is valid from the first minute of that day in Vietnam', async (t) => {
  t.match(personalIdProblem(bornIn2027, beforeMidnightInHanoi), /birth year 2027, which is in the future/)
  t.equal(personalIdProblem(bornIn2027, afterMidnightInHanoi), undefined)
  t.equal(personalIdProblem(bornIn2027, new Date('2027-01-01T06:59:00Z')), undefined, 'still 1 January in UTC terms, long since in Vietnam')
})
