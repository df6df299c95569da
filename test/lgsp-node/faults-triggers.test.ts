// When rules fire: seeded probability, every nth, on header, and schedule windows with an injected clock.
import t from 'tap'
import type { FaultRuleInput } from '../../contracts/faults.js'
import { buildHost, PERSON, type Host } from './faults-host.js'

const citizenPath = `/citizens/${PERSON}`

/** Which of `n` sequential requests were faulted, as a string of 1s and 0s. */
async function pattern (host: Host, n: number, headers: Record<string, string> = {}): Promise<string> {
  let seen = ''
  for (let i = 0; i < n; i++) seen += (await host.get(citizenPath, headers)).status === 500 ? '1' : '0'
  return seen
}

const chance = (seed: number): FaultRuleInput => ({ id: 'coin', seed, trigger: { type: 'probability', p: 0.3 }, fault: { kind: 'error', status: 500 } })

t.test('probability: same seed, same decisions across two fresh nodes', async (t) => {
  const first = await buildHost(t)
  await first.addRule(chance(42))
  const second = await buildHost(t)
  await second.addRule(chance(42))
  const a = await pattern(first, 40)
  const b = await pattern(second, 40)
  t.equal(a, b, `both ${a}`)
  const fired = [...a].filter((c) => c === '1').length
  t.ok(fired > 0 && fired < 40, `${fired} of 40 fired at p = 0.3`)

  const other = await buildHost(t)
  await other.addRule(chance(43))
  t.not(await pattern(other, 40), a, 'another seed, another sequence')
})

t.test('probability: requests out of scope do not consume the sequence', async (t) => {
  const plain = await buildHost(t)
  await plain.addRule({ ...chance(5), scope: { service: 'citizens' } })
  const noisy = await buildHost(t)
  await noisy.addRule({ ...chance(5), scope: { service: 'citizens' } })
  let a = ''
  let b = ''
  for (let i = 0; i < 20; i++) {
    a += (await plain.get(citizenPath)).status === 500 ? '1' : '0'
    await noisy.get('/insurance/X1')
    b += (await noisy.get(citizenPath)).status === 500 ? '1' : '0'
  }
  t.equal(a, b)
})

t.test('probability 0 never fires, 1 always does', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'never', trigger: { type: 'probability', p: 0 }, fault: { kind: 'error', status: 500 } })
  t.equal(await pattern(host, 10), '0000000000')
  await host.admin('DELETE', '/_node/faults')
  await host.addRule({ id: 'always', trigger: { type: 'probability', p: 1 }, fault: { kind: 'error', status: 500 } })
  t.equal(await pattern(host, 10), '1111111111')
})

t.test('everyNth: exactly the nth, 2nth, 3nth matching request', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'third', scope: { endpoint: 'GET /citizens/:personalId' }, trigger: { type: 'everyNth', n: 3 }, fault: { kind: 'error', status: 500 } })
  let seen = ''
  for (let i = 0; i < 9; i++) {
    seen += (await host.get(citizenPath)).status === 500 ? '1' : '0'
    await host.get('/citizens') // out of scope: does not count
  }
  t.equal(seen, '001001001')
})

t.test('onHeader: fires only when X-Ndxp-Fault names the rule', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'on-demand', trigger: { type: 'onHeader' }, fault: { kind: 'error', status: 500 } })
  t.equal((await host.get(citizenPath)).status, 200)
  t.equal((await host.get(citizenPath, { 'x-ndxp-fault': 'someone-else' })).status, 200)
  const hit = await host.get(citizenPath, { 'x-ndxp-fault': 'on-demand' })
  t.equal(hit.status, 500)
  t.equal(host.marker(hit.headers), 'on-demand;error')
  t.equal((await host.get(citizenPath, { 'x-ndxp-fault': 'a, on-demand' })).status, 500, 'a list of ids')
})

t.test('schedule: active from activeFrom (inclusive) until activeUntil (exclusive), by the injected clock', async (t) => {
  const from = Date.parse('2025-09-02T08:00:00+07:00')
  const until = Date.parse('2025-09-02T09:00:00+07:00')
  let now = from - 1
  const host = await buildHost(t, { clock: () => now })
  await host.addRule({
    id: 'maintenance',
    activeFrom: '2025-09-02T08:00:00+07:00',
    activeUntil: '2025-09-02T02:00:00Z', // the same as 09:00+07:00: offsets are honoured
    trigger: { type: 'everyNth', n: 2 },
    fault: { kind: 'down' },
  })
  t.equal((await host.get(citizenPath)).status, 200, 'before the window')
  t.equal((await host.get(citizenPath)).status, 200, 'before the window: not counted towards every 2nd')
  now = from
  t.equal((await host.get(citizenPath)).status, 200, 'first in the window')
  t.equal((await host.get(citizenPath)).status, 503, 'second in the window')
  now = until - 1
  t.equal((await host.get(citizenPath)).status, 200, 'third in the window, the last millisecond')
  t.equal((await host.get(citizenPath)).status, 503, 'fourth in the window, the last millisecond')
  now = until
  t.equal((await host.get(citizenPath)).status, 200, 'after the window')
  t.equal((await host.get(citizenPath)).status, 200, 'after the window')
})

t.test('initial rules from the options fire like posted ones', async (t) => {
  const host = await buildHost(t, { rules: [{ id: 'boot', trigger: { type: 'everyNth', n: 2 }, fault: { kind: 'error', status: 500 } }] })
  t.equal(await pattern(host, 4), '0101')
})
