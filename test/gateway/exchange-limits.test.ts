// Rate limits through the hub: exact per-agency policy (GCRA), grant quotas on top, headers, records.
import t from 'tap'
import { request } from 'undici'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { HUB_ADMIN_TOKEN, startHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'

const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'

t.test('a member gets exactly its burst at once, then exactly its rate: no drift, no extra burst', async (t) => {
  let now = Date.parse('2026-03-01T00:00:00Z')
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => now })
  const key = hub.keys.get('000.00.00.H49') as string
  const id = testDataset.population.idAt(7)
  const call = () => request(`${hub.url}${CITIZENS}/${id}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
  const burst = async (n: number) => {
    const statuses: number[] = []
    let retryAfter: string | undefined
    for (let i = 0; i < n; i++) {
      const response = await call()
      statuses.push(response.statusCode)
      if (response.statusCode === 429) retryAfter = response.headers['retry-after'] as string
      await response.body.dump()
    }
    return { ok: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length, retryAfter }
  }
  // Quảng Ninh's policy in the seed: 50/s sustained, burst 100.
  const first = await burst(110)
  t.same([first.ok, first.limited], [100, 10], 'the burst, and not one more')
  t.equal(first.retryAfter, '1')
  now += 1000
  const second = await burst(60)
  t.same([second.ok, second.limited], [50, 10], 'one second later: exactly the sustained rate')
  now += 100
  const third = await burst(10)
  t.same([third.ok, third.limited], [5, 5], 'a tenth of a second: a tenth of the rate')
  now += 60_000
  const refilled = await burst(105)
  t.same([refilled.ok, refilled.limited], [100, 5], 'an idle minute refills the bucket to its burst only')
  const limitedRecords = hub.records.filter((r) => r.outcome === 'rate_limited')
  t.equal(limitedRecords.length, 30)
  t.ok(limitedRecords.every((r) => r.statusCode === 429 && r.faultCode === 'client.rate_limited' && r.requestOutTs === null))
  const other = hub.keys.get('000.00.00.H57') as string
  const otherResponse = await request(`${hub.url}${CITIZENS}/${id}`, { headers: { authorization: `Bearer ${other}`, 'x-road-client': 'VN/GOV/000.00.00.H57/DVCTINH' } })
  t.equal(otherResponse.statusCode, 200, 'another agency has its own budget')
  await otherResponse.body.dump()
})

t.test('429 answers carry RateLimit, RateLimit-Policy and Retry-After and a problem body', async (t) => {
  const now = Date.parse('2026-03-01T00:00:00Z')
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => now })
  await hub.store.updateMember('000.00.00.H49', { rateLimit: { ratePerSecond: 0.5, burst: 1 } })
  await hub.hub.registry.refresh()
  const key = hub.keys.get('000.00.00.H49') as string
  const call = () => request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(1)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
  const ok = await call()
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers.ratelimit, '"member";r=0;t=2')
  await ok.body.dump()
  const limited = await call()
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '2')
  t.equal(limited.headers['ratelimit-policy'], '"member";q=1;w=2')
  t.equal(limited.headers['x-road-error'], 'client.rate_limited')
  t.match(await limited.body.json(), { type: 'client.rate_limited', status: 429, detail: /retry after 2 s/ })

  // A rate an admin may set but no clock reaches: the headers stay valid delta-seconds.
  await hub.store.updateMember('000.00.00.H49', { rateLimit: { ratePerSecond: 1e-300, burst: 1 } })
  await hub.hub.registry.refresh()
  const never = await call()
  t.equal(never.statusCode, 429)
  t.equal(never.headers['retry-after'], '2147483647')
  t.equal(never.headers['ratelimit-policy'], '"member";q=1;w=2147483647')
  t.match(never.headers.ratelimit, /^"member";r=0;t=\d+$/)
  t.match(await never.body.json(), { detail: /retry after 2147483647 s/ })
})

t.test("a grant's own quota applies on top of the member's policy", async (t) => {
  const now = Date.parse('2026-03-01T00:00:00Z')
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => now })
  const [grant] = await hub.store.listGrants({ client: { memberCode: '000.00.00.H49', subsystemCode: 'DVCTINH' }, service: { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' } })
  await hub.store.updateGrant(grant?.id as string, { quota: { ratePerSecond: 1, burst: 3 } })
  await hub.hub.registry.refresh()
  const key = hub.keys.get('000.00.00.H49') as string
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const response = await request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(1)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
    statuses.push(response.statusCode)
    if (response.statusCode === 429) t.match(response.headers['ratelimit-policy'], /^"grant";q=3;w=3$/)
    await response.body.dump()
  }
  t.same(statuses, [200, 200, 200, 429, 429])
})

t.test('an admin changing a policy changes the next decision: raised limits free the agency at once, lowered ones bite at once', async (t) => {
  let now = Date.parse('2026-03-01T00:00:00Z')
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => now })
  const key = hub.keys.get('000.00.00.H49') as string
  const [grant] = await hub.store.listGrants({ client: { memberCode: '000.00.00.H49', subsystemCode: 'DVCTINH' }, service: { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' } })
  const admin = async (path: string, body: unknown): Promise<void> => {
    const response = await request(`${hub.url}${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${HUB_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    t.equal(response.statusCode, 200, `PATCH ${path}`)
    await response.body.dump()
  }
  const statuses = async (n: number): Promise<number[]> => {
    const seen: number[] = []
    for (let i = 0; i < n; i++) {
      const response = await request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(1)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
      seen.push(response.statusCode)
      await response.body.dump()
    }
    return seen
  }
  const member = (rateLimit: { ratePerSecond: number, burst: number }): Promise<void> => admin('/v1/registry/members/000.00.00.H49', { rateLimit })

  await member({ ratePerSecond: 0.01, burst: 1 })
  t.same(await statuses(2), [200, 429], 'one request per 100 s: the second waits')
  await member({ ratePerSecond: 100, burst: 5 })
  t.same(await statuses(7), [200, 200, 200, 200, 429, 429, 429], 'raised: the used request counts at the new rate, the rest of the new burst is free now')
  now += 10
  t.same(await statuses(2), [200, 429], 'and it refills at the new rate (one per 10 ms)')
  await member({ ratePerSecond: 1, burst: 2 })
  t.same(await statuses(1), [429], 'lowered below what is in use: refused')
  now += 1000
  t.same(await statuses(2), [200, 429], 'but never for longer than the new bucket takes to drain: one second')

  await member({ ratePerSecond: 1000, burst: 1000 })
  await admin(`/v1/registry/grants/${grant?.id as string}`, { quota: { ratePerSecond: 0.01, burst: 1 } })
  now += 1000
  t.same(await statuses(2), [200, 429], "a grant's quota: one per 100 s")
  await admin(`/v1/registry/grants/${grant?.id as string}`, { quota: { ratePerSecond: 1000, burst: 3 } })
  t.same(await statuses(4), [200, 200, 429, 429], "raised: two more of the grant's new burst of three, at once")
})
