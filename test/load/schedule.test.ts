// The arrival schedule: due times straight from the integral of a piecewise-linear rate.
import t from 'tap'
import { ArrivalSchedule } from '../../cli/load/schedule.js'

t.test('every due time inverts the integral, across flat, rising and falling stages', async (t) => {
  const schedule = new ArrivalSchedule([
    { durationMs: 1_500, targetRate: 300 },
    { durationMs: 2_000, targetRate: 300 },
    { durationMs: 0, targetRate: 50 },
    { durationMs: 1_000, targetRate: 0 },
    { durationMs: 500, targetRate: 0 },
    { durationMs: 700, targetRate: 1_000 },
  ], 10)
  // 10→300 over 1.5 s: 232.5; 300 for 2 s: 600; a jump to 50, down to 0 over 1 s: 25; idle; 0→1000 over 0.7 s: 350.
  t.equal(schedule.countAt(schedule.durationMs), 232.5 + 600 + 25 + 350)
  t.equal(schedule.total, Math.ceil(232.5 + 600 + 25 + 350))
  t.equal(schedule.durationMs, 5_700)
  let previous = -1
  let worst = 0
  let disagreements = 0
  let backwards = 0
  const cursor = schedule.cursor()
  for (let k = 0; k < schedule.total; k++) {
    const at = cursor.next()
    if (at !== schedule.timeAt(k)) disagreements++
    if (!(at >= previous)) backwards++
    worst = Math.max(worst, Math.abs(schedule.countAt(at) - k))
    previous = at
  }
  t.equal(disagreements, 0, 'the cursor and the direct lookup agree')
  t.equal(backwards, 0, 'due times never go backwards')
  t.ok(worst < 1e-6, `N(t_k) = k to within ${worst}`)
  t.equal(cursor.next(), Infinity, 'exhausted')
  t.equal(cursor.taken, schedule.total)
  t.ok(schedule.timeAt(857) < 4_500 && schedule.timeAt(858) >= 5_000, 'nothing is due while the rate is zero (4.5–5 s)')
})

t.test('a long run does not drift: the millionth request is due exactly on time', async (t) => {
  const schedule = new ArrivalSchedule([{ durationMs: 3_600_000, targetRate: 333 }])
  t.equal(schedule.total, 333 * 3_600)
  t.equal(schedule.timeAt(1_000_000), 1_000_000 / 333 * 1000)
})

t.test('bad stages are refused', async (t) => {
  t.throws(() => new ArrivalSchedule([{ durationMs: 1_000, targetRate: -1 }]), /targetRate must be a finite rate/)
  t.throws(() => new ArrivalSchedule([{ durationMs: Number.NaN, targetRate: 1 }]), /durationMs must be a finite number/)
  t.throws(() => new ArrivalSchedule([{ durationMs: 1_000, targetRate: Infinity }]), /finite/)
  t.throws(() => new ArrivalSchedule([{ durationMs: 1_000, targetRate: 1 }], -5), /startRate/)
  const empty = new ArrivalSchedule([])
  t.equal(empty.total, 0)
  t.equal(empty.timeAt(0), Infinity)
})
