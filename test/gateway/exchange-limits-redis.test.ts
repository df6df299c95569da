// Rate limits through the hub when the limiter must ask Redis for each decision (a private
// redis-server): the exchange waits for the grant's quota, then the member's policy, refuses with the
// limit that ran out, and relays only what both let through.
import t from 'tap'
import { request } from 'undici'
import { connectRedis, RedisKeys } from '../../common/redis.js'
import { RedisRateLimiter } from '../../gateway/rate-limit/redis-limiter.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { startHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'
import { startRedis } from '../helpers/redis-server.js'

const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'
const H49 = '000.00.00.H49'

t.test('a grant quota and a member policy, each decided in Redis: the one that runs out refuses', async (t) => {
  let now = Date.parse('2026-03-01T00:00:00Z')
  const server = await startRedis(t)
  const redis = await connectRedis({ url: server.url, commandTimeoutMs: 1000, name: 'exchange-limits-test' })
  t.teardown(() => { redis.disconnect() })
  const limiter = new RedisRateLimiter({ redis, keys: new RedisKeys('limits-through-hub'), clock: 'caller' })
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => now, limiter })
  const [grant] = await hub.store.listGrants({ client: { memberCode: H49, subsystemCode: 'DVCTINH' }, service: { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' } })
  await hub.store.updateGrant(grant?.id as string, { quota: { ratePerSecond: 1, burst: 3 } })
  await hub.hub.registry.refresh()
  const key = hub.keys.get(H49) as string
  const calls = async (n: number): Promise<Array<{ status: number, policy: string | undefined, limit: string | undefined }>> => {
    const seen = []
    for (let i = 0; i < n; i++) {
      const response = await request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(1)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': `VN/GOV/${H49}/DVCTINH` } })
      seen.push({ status: response.statusCode, policy: response.headers['ratelimit-policy'] as string | undefined, limit: response.headers.ratelimit as string | undefined })
      await response.body.dump()
    }
    return seen
  }

  const quota = await calls(5)
  t.same(quota.map((c) => c.status), [200, 200, 200, 429, 429], "the grant's burst of 3, then refused")
  t.match(quota[0], { policy: /^"member";q=\d+;w=\d+$/, limit: /^"member";r=\d+;t=\d+$/ }, 'an admitted call carries the member policy headers')
  t.match(quota[3], { policy: '"grant";q=3;w=3', limit: /^"grant";r=0;t=\d+$/ }, 'the refusal names the grant')

  // The member's own policy below the quota's: now the member runs out first.
  await hub.store.updateGrant(grant?.id as string, { quota: { ratePerSecond: 1000, burst: 1000 } })
  await hub.store.updateMember(H49, { name: 'Quảng Ninh', kind: 'province', rateLimit: { ratePerSecond: 1, burst: 2 } })
  await hub.hub.registry.refresh()
  now += 60_000
  const member = await calls(3)
  t.same(member.map((c) => c.status), [200, 200, 429], "the member's burst of 2, then refused")
  t.match(member[2], { policy: '"member";q=2;w=2' }, 'the refusal names the member policy')

  const outcomes = hub.records.map((r) => r.outcome)
  t.same(outcomes, ['success', 'success', 'success', 'rate_limited', 'rate_limited', 'success', 'success', 'rate_limited'], 'every answer recorded, with its outcome')
  t.equal(hub.records.filter((r) => r.outcome === 'rate_limited').every((r) => r.providerNodeId !== null && r.requestOutTs === null), true, 'no refused call reached the provider')
})
