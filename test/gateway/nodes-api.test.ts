// Node registration and heartbeat: authenticated by the owning member's agency key, refused for
// other members' nodes, unknown keys and the admin token; a re-registration that changes nothing is free.
import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import problemPlugin from '../../common/problem-plugin.js'
import { nodesApi } from '../../gateway/nodes-api.js'
import { RegistryCache } from '../../gateway/registry-cache.js'
import { generateApiKey } from '../../registry/keys.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { federation, G01, H49 } from '../registry/store-contract.js'

const ADMIN_TOKEN = 'admin-token-for-tests'

async function build (t: Test) {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  await federation(store)
  const g01 = generateApiKey()
  const h49 = generateApiKey()
  const revoked = generateApiKey()
  await store.createApiKey({ memberCode: G01.code, hash: g01.hash, label: 'population node' })
  await store.createApiKey({ memberCode: H49.code, hash: h49.hash, label: 'province' })
  await store.revokeApiKey((await store.createApiKey({ memberCode: G01.code, hash: revoked.hash, label: 'old' })).id)
  const cache = new RegistryCache({ store, logger: app.log, pollMs: 3_600_000 })
  await cache.start()
  const clock = { now: new Date('2025-07-01T08:00:00.000Z') }
  const counter = { changes: 0 }
  await app.register(nodesApi, {
    store, registry: cache, clock: () => clock.now, heartbeatStaleMs: 30_000,
    onChange: async () => { counter.changes++; await cache.refresh() },
  })
  t.teardown(async () => { await cache.stop(); await app.close(); await store.close() })
  const send = async (method: 'PUT' | 'POST', url: string, key: string | undefined, body: unknown) => {
    const response = await app.inject({ method, url, headers: key === undefined ? {} : { authorization: `Bearer ${key}` }, payload: body as object })
    return { status: response.statusCode, headers: response.headers, body: response.json() }
  }
  const register = (id: string, key: string | undefined, baseUrl: unknown = 'http://10.0.0.9:8101') => send('PUT', `/v1/nodes/${id}`, key, { baseUrl })
  const beat = (id: string, key: string | undefined, health: unknown = 'up') => send('POST', `/v1/nodes/${id}/heartbeat`, key, { health })
  return { store, cache, clock, counter, register, beat, send, keys: { g01: g01.key, h49: h49.key, revoked: revoked.key } }
}

t.test('a member registers its own node, and re-registering with the same URL changes nothing', async (t) => {
  const { store, cache, counter, register, keys } = await build(t)
  const created = await register('insurance-2', keys.g01, 'http://10.0.0.9:8102')
  t.equal(created.status, 201)
  t.strictSame(created.body, { id: 'insurance-2', memberCode: G01.code, baseUrl: 'http://10.0.0.9:8102', lastHeartbeatAt: null, health: 'unknown' })
  t.equal(created.headers.location, '/v1/registry/nodes/insurance-2')
  t.equal(cache.current.node('insurance-2')?.memberCode, G01.code, 'owned by the key\'s member, known to the hub at once')
  t.equal(counter.changes, 1)

  const version = await store.version()
  const again = await register('insurance-2', keys.g01, 'http://10.0.0.9:8102')
  t.equal(again.status, 200)
  t.equal(await store.version(), version, 'a restart that re-registers does not make hubs reload')
  t.equal(counter.changes, 1)

  const moved = await register('population', keys.g01, 'http://10.0.0.10:8101')
  t.equal(moved.status, 200)
  t.equal(moved.body.baseUrl, 'http://10.0.0.10:8101')
  t.equal(cache.current.node('population')?.baseUrl, 'http://10.0.0.10:8101', 'the next exchange goes to the new URL')
})

t.test("another member's node is refused with 403 client.identity_mismatch", async (t) => {
  const { store, register, beat, keys } = await build(t)
  const before = await store.getNode('population')
  for (const response of [await register('population', keys.h49, 'http://evil.example'), await beat('population', keys.h49, 'down')]) {
    t.equal(response.status, 403)
    t.equal(response.body.type, 'client.identity_mismatch')
    t.match(response.body.detail, /belongs to member "000\.00\.00\.G01"/)
  }
  t.strictSame(await store.getNode('population'), before, 'neither URL nor health changed')
})

t.test('no key, an unknown key, a revoked key or the admin token: 401 client.unauthenticated', async (t) => {
  const { store, register, beat, keys } = await build(t)
  const version = await store.version()
  const unknown = generateApiKey().key
  for (const key of [undefined, unknown, keys.revoked, ADMIN_TOKEN, 'ndxp_short', `${keys.g01}x`, `${keys.g01.slice(0, -1)}`, "' OR 1=1 --"]) {
    for (const response of [await register('population', key), await register('brand-new', key), await beat('population', key)]) {
      t.equal(response.status, 401, `key ${String(key).slice(0, 12)}`)
      t.equal(response.body.type, 'client.unauthenticated')
      t.equal(response.headers['www-authenticate'], 'Bearer realm="ndxp"')
    }
  }
  const hostile = await register('population', undefined, { nested: 'x'.repeat(1000) })
  t.equal(hostile.status, 401, 'authentication comes before the body is looked at')
  t.equal(await store.version(), version)
  t.equal(await store.getNode('brand-new'), undefined)
})

t.test('heartbeats record time and health, and this hub sees each one at once', async (t) => {
  const { store, cache, clock, counter, beat, keys } = await build(t)
  const up = await beat('population', keys.g01, 'up')
  t.equal(up.status, 200)
  t.strictSame(up.body, {
    node: { id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101', lastHeartbeatAt: '2025-07-01T08:00:00.000Z', health: 'up' },
    heartbeatIntervalMs: 10_000,
  })
  t.equal(cache.current.node('population')?.health, 'up')
  t.equal(counter.changes, 1)

  clock.now = new Date('2025-07-01T08:00:10.000Z')
  const steady = await beat('population', keys.g01, 'up')
  t.equal(steady.body.node.lastHeartbeatAt, '2025-07-01T08:00:10.000Z')
  t.equal(cache.current.node('population')?.lastHeartbeatAt, '2025-07-01T08:00:10.000Z', 'staleness is judged on the view, so it must follow')
  t.equal(cache.current.version, await store.version())

  clock.now = new Date('2025-07-01T08:00:20.000Z')
  const down = await beat('population', keys.g01, 'down')
  t.equal(down.body.node.health, 'down')
  t.equal(cache.current.node('population')?.health, 'down', 'the hub stops sending to it on the next request')

  clock.now = new Date('2025-07-01T07:00:00.000Z')
  const late = await beat('population', keys.g01, 'up')
  t.equal(late.status, 200)
  t.equal(late.body.node.health, 'down', 'a beat older than the last one is ignored')
  t.equal(cache.current.node('population')?.health, 'down')
})

t.test('a heartbeat for a node that was never registered is a 404 that says what to do', async (t) => {
  const { beat, keys } = await build(t)
  const response = await beat('never-registered', keys.g01)
  t.equal(response.status, 404)
  t.equal(response.body.type, 'client.not_found')
  t.match(response.body.detail, /PUT \/v1\/nodes\/never-registered/)
})

t.test('hostile input from an authenticated node is refused and changes nothing', async (t) => {
  const { store, register, beat, send, keys } = await build(t)
  const version = await store.version()
  const cases: Array<[Promise<{ status: number, body: { type: string } }>, number, string]> = [
    [beat('population', keys.g01, 'unknown'), 400, 'client.bad_request'],
    [beat('population', keys.g01, 1), 400, 'client.bad_request'],
    [beat('population', keys.g01, 'UP'), 400, 'client.bad_request'],
    [send('POST', '/v1/nodes/population/heartbeat', keys.g01, { health: 'up', lastHeartbeatAt: '2099-01-01T00:00:00.000Z' }), 400, 'client.bad_request'],
    [send('POST', '/v1/nodes/population/heartbeat', keys.g01, []), 400, 'client.bad_request'],
    [register('population', keys.g01, 'javascript:alert(1)'), 400, 'client.bad_request'],
    [register('population', keys.g01, 'http://user:pw@10.0.0.1'), 400, 'client.bad_request'],
    [register('population', keys.g01, 'http://10.0.0.1/'), 400, 'client.bad_request'],
    [register('population', keys.g01, 42), 400, 'client.bad_request'],
    [send('PUT', '/v1/nodes/population', keys.g01, { baseUrl: 'http://10.0.0.1', memberCode: H49.code }), 400, 'client.bad_request'],
    [send('PUT', '/v1/nodes/population', keys.g01, { baseUrl: 'http://10.0.0.1', id: 'other' }), 400, 'client.bad_request'],
    [register('..%2Fpopulation', keys.g01), 400, 'client.invalid_identifier'],
    [register("x'%3B%20DROP%20TABLE%20nodes", keys.g01), 400, 'client.invalid_identifier'],
    [register('%F0%9F%98%80', keys.g01), 400, 'client.invalid_identifier'],
    [register('a'.repeat(65), keys.g01), 400, 'client.invalid_identifier'],
    [register('population', keys.g01, `http://${'a'.repeat(20_000)}`), 413, 'client.payload_too_large'],
  ]
  for (const [pending, status, code] of cases) {
    const response = await pending
    t.equal(response.status, status)
    t.equal(response.body.type, code)
  }
  t.equal(await store.version(), version)
  t.equal((await store.getNode('population'))?.baseUrl, 'http://127.0.0.1:8101')
})
