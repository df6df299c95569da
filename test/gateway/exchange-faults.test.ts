// Provider misbehaviour seen through the hub, injected with the node's own fault API: errors pass
// through, timeouts and transport failures map to 504/502, repeated failure opens the circuit.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { HUB_ADMIN_TOKEN, startHub } from '../helpers/hub.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'
const SERVICE_REF = { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' }

async function setup (t: Test) {
  let offset = 0
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { clock: () => Date.now() + offset, circuit: { threshold: 3, cooldownMs: 5000 } })
  const key = hub.keys.get('000.00.00.H49') as string
  const call = (id = testDataset.population.idAt(11)) => request(`${hub.url}${CITIZENS}/${id}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
  const fault = async (rule: unknown) => {
    const response = await request(`${node.url}/_node/faults`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(rule) })
    t.equal(response.statusCode, 201, 'fault rule accepted')
    await response.body.dump()
  }
  const clearFaults = async () => { await (await request(`${node.url}/_node/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).body.dump() }
  const advance = (ms: number) => { offset += ms }
  return { node, hub, call, fault, clearFaults, advance }
}

t.test('provider errors pass through; repeated 503s open the circuit, a probe closes it', async (t) => {
  const { hub, call, fault, clearFaults, advance } = await setup(t)
  await fault({ id: 'down', trigger: { type: 'always' }, fault: { kind: 'error', status: 503 } })
  for (let i = 0; i < 3; i++) {
    const response = await call()
    t.equal(response.statusCode, 503)
    t.equal(response.headers['x-road-error'], undefined, "the provider's own 503 passes through")
    t.match(response.headers['x-ndxp-fault'], /down;error/)
    await response.body.dump()
  }
  const fast = await call()
  t.equal(fast.statusCode, 503)
  t.equal(fast.headers['x-road-error'], 'server.provider_circuit_open')
  t.equal(fast.headers['x-ndxp-fault'], undefined, 'failed fast: the node was not asked')
  t.equal(fast.headers['retry-after'], '5')
  await fast.body.dump()
  t.equal(hub.hub.breaker.state('population'), 'open')
  await clearFaults()
  advance(5000)
  const probe = await call()
  t.equal(probe.statusCode, 200, 'after the cooldown one probe goes through')
  await probe.body.dump()
  t.equal(hub.hub.breaker.state('population'), 'closed')
  t.same(hub.records.map((r) => r.outcome), ['provider_error', 'provider_error', 'provider_error', 'circuit_open', 'success'])
})

t.test('an open circuit belongs to the node\'s address: pointed elsewhere it is closed at once, and a deleted node takes its circuit with it', async (t) => {
  const { hub, call, fault } = await setup(t)
  await fault({ id: 'down', trigger: { type: 'always' }, fault: { kind: 'error', status: 503 } })
  for (let i = 0; i < 3; i++) await (await call()).body.dump()
  const fast = await call()
  t.equal(fast.headers['x-road-error'], 'server.provider_circuit_open')
  await fast.body.dump()

  const healthy = await startNode(t, [populationService])
  await hub.store.updateNode('population', { baseUrl: healthy.url })
  await hub.hub.registry.refresh()
  const moved = await call()
  t.equal(moved.statusCode, 200, 'the next request goes to the new address, not failed fast')
  await moved.body.dump()
  t.equal(hub.hub.breaker.state('population'), 'closed')

  const metrics = async (): Promise<string> => await (await request(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${HUB_ADMIN_TOKEN}` } })).body.text()
  t.match(await metrics(), /ndxp_circuit_state\{node="population"\} 0/)
  await hub.store.createNode({ id: 'population-b', memberCode: '000.00.00.G01', baseUrl: healthy.url })
  await hub.store.updateService(SERVICE_REF, { nodeId: 'population-b' })
  await hub.store.deleteNode('population')
  await hub.hub.registry.refresh()
  t.notMatch(await metrics(), /node="population"/, 'no series left for a node that is gone')
  const again = await call()
  t.equal(again.statusCode, 200)
  await again.body.dump()
})

t.test('a slow or hanging provider times out with 504 at the service timeout', async (t) => {
  const { hub, call, fault } = await setup(t)
  await hub.store.updateService(SERVICE_REF, { timeoutMs: 300 })
  await hub.hub.registry.refresh()
  await fault({ id: 'slow', trigger: { type: 'everyNth', n: 2 }, fault: { kind: 'latency', distribution: { type: 'fixed', ms: 3000 } } })
  const fine = await call()
  t.equal(fine.statusCode, 200)
  await fine.body.dump()
  const slow = await call()
  t.equal(slow.statusCode, 504)
  t.equal(slow.headers['x-road-error'], 'server.provider_timeout')
  t.match(await slow.body.json(), { detail: /300 ms/ })
  await fault({ id: 'hang', trigger: { type: 'always' }, fault: { kind: 'hang' } })
  const hung = await call()
  t.equal(hung.statusCode, 504)
  await hung.body.dump()
  t.same(hub.records.map((r) => r.outcome), ['success', 'timeout', 'timeout'])
  // undici's own timers tick every half second: alone, they answered 0.5–1 s after arrival.
  for (const record of hub.records.filter((r) => r.outcome === 'timeout')) {
    const ms = record.responseOutTs - record.requestInTs
    t.ok(ms >= 300 && ms < 490, `the 504 came ${ms} ms after arrival: at the 300 ms service timeout`)
  }
})

t.test('a reset connection, a truncated answer and a stopped node are all 502 and recorded', async (t) => {
  const { node, hub, call, fault, clearFaults } = await setup(t)
  await fault({ id: 'reset', trigger: { type: 'always' }, fault: { kind: 'reset' } })
  const reset = await call()
  t.equal(reset.statusCode, 502)
  t.equal(reset.headers['x-road-error'], 'server.provider_unreachable')
  await reset.body.dump()
  await clearFaults()
  await fault({ id: 'cut', trigger: { type: 'always' }, fault: { kind: 'truncate' } })
  const cut = await call()
  t.equal(cut.statusCode, 502, 'the hub reads small answers whole, so a broken one is a clean error, as in X-Road')
  t.equal(cut.headers['x-road-error'], 'server.provider_unreachable')
  await cut.body.dump()
  await clearFaults()
  await node.app.close()
  const gone = await call()
  t.equal(gone.statusCode, 502)
  t.match(await gone.body.json(), { type: 'server.provider_unreachable', detail: /node population could not be reached/ })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(hub.records.map((r) => r.outcome), ['unreachable', 'unreachable', 'unreachable'])
  t.equal(hub.records[1]?.statusCode, 502)
  t.equal(hub.records[1]?.faultCode, 'server.provider_unreachable')
})

t.test('contract drift from the provider reaches the client as sent: the hub does not parse payloads', async (t) => {
  const { call, fault } = await setup(t)
  await fault({ id: 'drift', seed: 7, trigger: { type: 'always' }, fault: { kind: 'contract-drift' } })
  const response = await call()
  t.equal(response.statusCode, 200)
  t.match(response.headers['x-ndxp-fault'], /drift;contract-drift/)
  t.ok((await response.body.text()).length > 0)
})

t.test('large answers stream through; one that breaks off mid-way is cut short and recorded', async (t) => {
  const Fastify = (await import('fastify')).default
  const upstream = Fastify()
  const big = Buffer.alloc(600 * 1024, 'x')
  upstream.get('/files/whole', async (_request, reply) => reply.header('content-type', 'application/octet-stream').send(big))
  upstream.get('/files/broken', (request, reply) => {
    reply.raw.writeHead(200, { 'content-length': String(big.length) })
    reply.raw.write(big.subarray(0, 300 * 1024), () => request.raw.socket.destroy())
  })
  const stalled: Array<() => void> = []
  upstream.get('/files/stalled', (request, reply) => {
    reply.raw.writeHead(200, { 'content-length': String(big.length) })
    reply.raw.write(big.subarray(0, 300 * 1024))
    stalled.push(() => request.raw.socket.destroy())
  })
  const upstreamUrl = await upstream.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    for (const end of stalled) end()
    await upstream.close()
  })
  const { hub } = await setup(t)
  await hub.store.createNode({ id: 'files', memberCode: '000.00.00.G01', baseUrl: upstreamUrl })
  await hub.store.createService({ memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'files', nodeId: 'files', upstreamPath: '/files', endpoints: [{ method: 'GET', path: '/files/*' }], carriesPersonalData: false, timeoutMs: 1000 })
  await hub.store.createGrant({ client: { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.H49', subsystemCode: 'DVCTINH' }, service: { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'files' } })
  await hub.hub.registry.refresh()
  const headers = { authorization: `Bearer ${hub.keys.get('000.00.00.H49')}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' }
  const whole = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/files/whole`, { headers })
  t.equal(whole.statusCode, 200)
  t.equal((await whole.body.arrayBuffer()).byteLength, big.length)
  const broken = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/files/broken`, { headers })
  t.equal(broken.statusCode, 200, 'the status line had gone out before the body broke')
  await t.rejects(broken.body.arrayBuffer(), 'the client sees the answer cut short')
  const stall = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/files/stalled`, { headers })
  t.equal(stall.statusCode, 200)
  await t.rejects(stall.body.arrayBuffer(), 'a provider stalling past the service timeout also cuts the answer short')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(hub.records.map((r) => [r.outcome, r.faultCode]), [['success', null], ['unreachable', 'server.provider_unreachable'], ['timeout', 'server.provider_timeout']])
  t.equal(hub.records[0]?.responseSize, big.length)
  t.ok(hub.records.slice(1).every((r) => r.responseSize >= 256 * 1024 && r.responseSize <= 300 * 1024), `each record keeps what was relayed (${hub.records.slice(1).map((r) => r.responseSize).join(', ')} bytes)`)
})

t.test("the hub's own time per exchange leaves out the wait for the provider, answered or timed out", async (t) => {
  const { hub, call, fault, clearFaults } = await setup(t)
  await hub.store.updateService(SERVICE_REF, { timeoutMs: 600 })
  await hub.hub.registry.refresh()
  await fault({ id: 'slow', trigger: { type: 'always' }, fault: { kind: 'latency', distribution: { type: 'fixed', ms: 400 } } })
  const answered = await call()
  await clearFaults()
  await fault({ id: 'hang', trigger: { type: 'always' }, fault: { kind: 'hang' } })
  const timedOut = await call()
  t.same([answered.statusCode, timedOut.statusCode], [200, 504])
  await Promise.all([answered.body.dump(), timedOut.body.dump()])
  const metrics = await request(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${HUB_ADMIN_TOKEN}` } })
  const text = await metrics.body.text()
  const sample = (line: string): number => Number(new RegExp(`^${line.replace(/[{}.+"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1])
  t.equal(sample('ndxp_exchange_hub_seconds_count'), 2)
  t.equal(sample('ndxp_exchange_hub_seconds_bucket{le="0.1"}'), 2, 'both well under the provider\'s 400 and 600 ms')
  t.ok(sample('ndxp_exchange_hub_seconds_sum') < 0.2, 'the sum holds no provider wait')
  const service = 'service="000.00.00.G01/CSDLQGDC/citizens"'
  t.equal(sample(`ndxp_exchange_duration_seconds_bucket{le="0.25",${service},outcome="success"}`), 0, 'while the whole exchange took the provider\'s 400 ms')
  t.equal(sample(`ndxp_exchange_duration_seconds_bucket{le="0.25",${service},outcome="timeout"}`), 0)
})
