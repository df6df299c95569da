// The registry admin API end to end through HTTP: every entity created, read, listed, changed and
// deleted, with the hub's registry cache following each change on the next request.
import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import { registerOpenApi } from '../../common/openapi.js'
import problemPlugin from '../../common/problem-plugin.js'
import { registryAdminRoutes } from '../../gateway/admin/plugin.js'
import { RegistryCache } from '../../gateway/registry-cache.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { CITIZENS, DVCTINH_ID, G01, H49 } from '../registry/store-contract.js'

const TOKEN = 'admin-token-for-tests'
const CITIZENS_URL = '/v1/registry/services/000.00.00.G01/CSDLQGDC/citizens'
const CITIZENS_ID = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens'
const DVCTINH = 'VN/GOV/000.00.00.H49/DVCTINH'

async function build (t: Test, openApi = false) {
  const store = await openSqliteRegistryStore({ filename: ':memory:', clock: () => new Date('2025-07-01T08:00:00.000Z') })
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  if (openApi) await registerOpenApi(app, { title: 'hub', description: 'test', version: '0.0.0' })
  const cache = new RegistryCache({ store, logger: app.log, pollMs: 3_600_000 })
  await cache.start()
  const counter = { changes: 0 }
  await app.register(registryAdminRoutes, { store, adminToken: TOKEN, onChange: async () => { counter.changes++; await cache.refresh() } })
  t.teardown(async () => { await cache.stop(); await app.close(); await store.close() })
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(body === undefined ? {} : { payload: body as object }) })
    return { status: response.statusCode, headers: response.headers, body: response.body === '' ? undefined : response.json() }
  }
  return { app, store, cache, counter, call }
}

/** G01 as provider (subsystem, node, service), H49 as consumer (subsystem), all through the API. */
async function federation (call: Awaited<ReturnType<typeof build>>['call']): Promise<void> {
  for (const [url, body] of [
    ['/v1/registry/members', G01], ['/v1/registry/members', H49],
    ['/v1/registry/members/000.00.00.G01/subsystems', { code: 'CSDLQGDC', name: 'Cơ sở dữ liệu quốc gia về dân cư' }],
    ['/v1/registry/members/000.00.00.H49/subsystems', { code: 'DVCTINH', name: 'Cổng dịch vụ công tỉnh' }],
    ['/v1/registry/nodes', { id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101' }],
    ['/v1/registry/services', CITIZENS],
  ] as const) {
    const response = await call('POST', url, body)
    if (response.status !== 201) throw new Error(`${url}: ${JSON.stringify(response.body)}`)
  }
}

t.test('members: create, read, list, change, delete; the cache follows each change', async (t) => {
  const { call, cache, counter } = await build(t)
  const created = await call('POST', '/v1/registry/members', G01)
  t.equal(created.status, 201)
  t.strictSame(created.body, G01)
  t.equal(created.headers.location, '/v1/registry/members/000.00.00.G01')
  t.equal(counter.changes, 1, 'onChange awaited once')
  t.strictSame(cache.current.member(G01.code), G01, 'the cache has the member before the answer left')

  const duplicate = await call('POST', '/v1/registry/members', G01)
  t.equal(duplicate.status, 409)
  t.equal(duplicate.body.type, 'client.conflict')
  t.match(duplicate.headers['content-type'], /^application\/problem\+json/)
  t.equal(counter.changes, 1, 'no change, no refresh')

  await call('POST', '/v1/registry/members', H49)
  t.strictSame((await call('GET', '/v1/registry/members')).body, { items: [G01, H49] })
  t.strictSame((await call('GET', '/v1/registry/members/000.00.00.H49')).body, H49)
  const missing = await call('GET', '/v1/registry/members/000.00.00.G99')
  t.equal(missing.status, 404)
  t.equal(missing.body.type, 'client.not_found')

  const changed = await call('PATCH', '/v1/registry/members/000.00.00.H49', { name: '  Ủy ban nhân dân tỉnh Quảng Ninh (mới)  ', rateLimit: { ratePerSecond: 10, burst: 20 } })
  t.equal(changed.status, 200)
  t.equal(changed.body.name, 'Ủy ban nhân dân tỉnh Quảng Ninh (mới)', 'names are trimmed')
  t.strictSame(cache.current.member(H49.code)?.rateLimit, { ratePerSecond: 10, burst: 20 })
  t.equal((await call('PATCH', '/v1/registry/members/000.00.00.G99', { name: 'x' })).status, 404)

  const deleted = await call('DELETE', '/v1/registry/members/000.00.00.H49')
  t.equal(deleted.status, 204)
  t.equal(deleted.body, undefined)
  t.equal(cache.current.member(H49.code), undefined)
  t.equal((await call('GET', '/v1/registry/members/000.00.00.H49')).status, 404)
  t.equal((await call('DELETE', '/v1/registry/members/000.00.00.H49')).status, 404)
  t.equal(counter.changes, 4)
})

t.test('subsystems: addressed under their member', async (t) => {
  const { call, cache } = await build(t)
  await call('POST', '/v1/registry/members', H49)
  const created = await call('POST', '/v1/registry/members/000.00.00.H49/subsystems', { code: 'DVCTINH', name: 'Cổng dịch vụ công tỉnh' })
  t.equal(created.status, 201)
  t.strictSame(created.body, { memberCode: H49.code, code: 'DVCTINH', name: 'Cổng dịch vụ công tỉnh' })
  t.equal(created.headers.location, '/v1/registry/members/000.00.00.H49/subsystems/DVCTINH')
  t.ok(cache.current.hasSubsystem(H49.code, 'DVCTINH'))
  t.equal((await call('POST', '/v1/registry/members/000.00.00.H49/subsystems', { code: 'DVCTINH', name: 'again' })).status, 409)
  t.equal((await call('POST', '/v1/registry/members/000.00.00.H99/subsystems', { code: 'X', name: 'x' })).status, 404, 'unknown member')
  // Subsystem codes may carry characters that must be encoded in a URL.
  const odd = await call('POST', '/v1/registry/members/000.00.00.H49/subsystems', { code: "M1(a+b)=c?'", name: 'odd code' })
  t.equal(odd.status, 201)
  t.equal(odd.headers.location, "/v1/registry/members/000.00.00.H49/subsystems/M1(a%2Bb)%3Dc%3F'")
  t.equal((await call('GET', odd.headers.location as string)).body.code, "M1(a+b)=c?'", 'the Location answers')

  t.strictSame((await call('GET', '/v1/registry/members/000.00.00.H49/subsystems')).body.items.map((s: { code: string }) => s.code), ['DVCTINH', "M1(a+b)=c?'"])
  t.equal((await call('GET', '/v1/registry/members/000.00.00.H99/subsystems')).status, 404, 'listing under an unknown member is not an empty list')
  t.equal((await call('GET', '/v1/registry/members/000.00.00.H49/subsystems/NOPE')).status, 404)
  const renamed = await call('PATCH', '/v1/registry/members/000.00.00.H49/subsystems/DVCTINH', { name: 'Cổng DVC' })
  t.strictSame(renamed.body, { memberCode: H49.code, code: 'DVCTINH', name: 'Cổng DVC' })
  t.equal((await call('DELETE', '/v1/registry/members/000.00.00.H49/subsystems/DVCTINH')).status, 204)
  t.notOk(cache.current.hasSubsystem(H49.code, 'DVCTINH'))
  t.equal((await call('DELETE', '/v1/registry/members/000.00.00.H49/subsystems/DVCTINH')).status, 404)
})

t.test('nodes: create, filter by member, change the base URL, delete only when empty', async (t) => {
  const { call, cache } = await build(t)
  await federation(call)
  const created = await call('POST', '/v1/registry/nodes', { id: 'spare', memberCode: H49.code, baseUrl: 'https://lgsp.quangninh.gov.vn' })
  t.equal(created.status, 201)
  t.strictSame(created.body, { id: 'spare', memberCode: H49.code, baseUrl: 'https://lgsp.quangninh.gov.vn', lastHeartbeatAt: null, health: 'unknown' })
  t.equal(created.headers.location, '/v1/registry/nodes/spare')
  t.strictSame((await call('GET', '/v1/registry/nodes')).body.items.map((n: { id: string }) => n.id), ['population', 'spare'])
  t.strictSame((await call('GET', '/v1/registry/nodes?memberCode=000.00.00.G01')).body.items.map((n: { id: string }) => n.id), ['population'])
  t.equal((await call('GET', '/v1/registry/nodes/spare')).body.baseUrl, 'https://lgsp.quangninh.gov.vn')
  t.equal((await call('GET', '/v1/registry/nodes/nope')).status, 404)
  t.equal((await call('POST', '/v1/registry/nodes', { id: 'x', memberCode: '000.00.00.H99', baseUrl: 'http://x' })).status, 404, 'owner must exist')

  const moved = await call('PATCH', '/v1/registry/nodes/population', { baseUrl: 'http://10.0.0.7:8101' })
  t.equal(moved.status, 200)
  t.equal(cache.current.node('population')?.baseUrl, 'http://10.0.0.7:8101', 'the next exchange goes to the new URL')

  const busy = await call('DELETE', '/v1/registry/nodes/population')
  t.equal(busy.status, 409, 'a node hosting a service stays')
  t.match(busy.body.detail, /citizens/)
  t.equal((await call('DELETE', '/v1/registry/nodes/spare')).status, 204)
  t.equal(cache.current.node('spare'), undefined)
})

t.test('services: addressed by id parts, filtered, changed, deleted', async (t) => {
  const { call, cache } = await build(t)
  await federation(call)
  const read = await call('GET', CITIZENS_URL)
  t.equal(read.status, 200)
  t.strictSame(read.body, CITIZENS)
  t.ok(cache.current.service(CITIZENS_ID))

  const defaults = await call('POST', '/v1/registry/services', {
    memberCode: G01.code, subsystemCode: 'CSDLQGDC', serviceCode: 'households', nodeId: 'population', upstreamPath: '/households',
    endpoints: [{ method: 'GET', path: '/households/{householdId}' }],
  })
  t.equal(defaults.status, 201)
  t.equal(defaults.body.timeoutMs, 60_000, 'X-Road default timeout')
  t.equal(defaults.body.carriesPersonalData, true, 'personal data unless declared otherwise')
  t.equal(defaults.headers.location, '/v1/registry/services/000.00.00.G01/CSDLQGDC/households')
  t.equal((await call('POST', '/v1/registry/services', CITIZENS)).status, 409)

  t.strictSame((await call('GET', '/v1/registry/services')).body.items.map((s: { serviceCode: string }) => s.serviceCode), ['citizens', 'households'])
  t.equal((await call('GET', '/v1/registry/services?memberCode=000.00.00.H49')).body.items.length, 0)
  t.equal((await call('GET', '/v1/registry/services?nodeId=population&memberCode=000.00.00.G01')).body.items.length, 2)
  t.equal((await call('GET', '/v1/registry/services/000.00.00.G01/CSDLQGDC/nope')).status, 404)

  const changed = await call('PATCH', CITIZENS_URL, { timeoutMs: 5000, openapiUrl: 'https://docs.example.vn/citizens.json' })
  t.equal(changed.status, 200)
  t.equal(changed.body.timeoutMs, 5000)
  t.equal(cache.current.service(CITIZENS_ID)?.service.timeoutMs, 5000)
  const cleared = await call('PATCH', CITIZENS_URL, { openapiUrl: null })
  t.notOk('openapiUrl' in cleared.body, 'null removes the contract URL')

  t.equal((await call('DELETE', CITIZENS_URL)).status, 204)
  t.equal(cache.current.service(CITIZENS_ID), undefined)
  t.equal((await call('GET', CITIZENS_URL)).status, 404)
})

t.test('grants: create, filter by id strings, narrow, clear, delete; deny follows at once', async (t) => {
  const { call, cache } = await build(t)
  await federation(call)
  const created = await call('POST', '/v1/registry/grants', { client: DVCTINH_ID, service: { instance: 'VN', memberClass: 'GOV', memberCode: G01.code, subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' } })
  t.equal(created.status, 201)
  const id = created.body.id as string
  t.match(created.body, { client: DVCTINH_ID, createdAt: '2025-07-01T08:00:00.000Z' })
  t.equal(created.headers.location, `/v1/registry/grants/${id}`)
  t.equal(cache.current.grantsFor(DVCTINH, CITIZENS_ID).length, 1, 'access works on the next request')
  t.equal((await call('POST', '/v1/registry/grants', { client: DVCTINH_ID, service: created.body.service })).status, 409, 'one grant per pair')

  t.strictSame((await call('GET', `/v1/registry/grants/${id}`)).body, created.body)
  const list = (query: string) => call('GET', `/v1/registry/grants${query}`)
  t.equal((await list('')).body.items.length, 1)
  t.equal((await list(`?client=${encodeURIComponent(DVCTINH)}`)).body.items.length, 1)
  t.equal((await list(`?service=${encodeURIComponent(CITIZENS_ID)}&client=${encodeURIComponent(DVCTINH)}`)).body.items.length, 1)
  t.equal((await list(`?client=${encodeURIComponent('VN/COM/000.00.00.H49/DVCTINH')}`)).body.items.length, 0, 'another class matches nothing')
  t.equal((await list(`?service=${encodeURIComponent('XX/GOV/000.00.00.G01/CSDLQGDC/citizens')}`)).body.items.length, 0, 'another instance matches nothing')
  t.equal((await list('?client=VN%2FGOV%2F000.00.00.G01%2FCSDLQGDC')).body.items.length, 0)

  const narrowed = await call('PATCH', `/v1/registry/grants/${id}`, { endpoints: [{ method: 'POST', path: '/citizens/verify' }], quota: { ratePerSecond: 1, burst: 2 } })
  t.equal(narrowed.status, 200)
  t.strictSame(cache.current.grantsFor(DVCTINH, CITIZENS_ID)[0]?.quota, { ratePerSecond: 1, burst: 2 })
  const notOffered = await call('PATCH', `/v1/registry/grants/${id}`, { endpoints: [{ method: 'DELETE', path: '/citizens/{personalId}' }] })
  t.equal(notOffered.status, 400, 'only endpoints the service offers')
  const widened = await call('PATCH', `/v1/registry/grants/${id}`, { endpoints: null, quota: null })
  t.notOk('endpoints' in widened.body)
  t.notOk('quota' in widened.body)

  t.equal((await call('DELETE', `/v1/registry/grants/${id}`)).status, 204)
  t.equal(cache.current.grantsFor(DVCTINH, CITIZENS_ID).length, 0, 'denied on the next request')
  t.equal((await call('GET', `/v1/registry/grants/${id}`)).status, 404)
  t.equal((await call('DELETE', `/v1/registry/grants/${id}`)).status, 404)
})

t.test('deleting a member removes everything it owns, in the store and in the cache', async (t) => {
  const { call, cache, store } = await build(t)
  await federation(call)
  await call('POST', '/v1/registry/grants', { client: DVCTINH_ID, service: { instance: 'VN', memberClass: 'GOV', memberCode: G01.code, subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' } })
  t.equal((await call('DELETE', '/v1/registry/members/000.00.00.G01')).status, 204)
  const snapshot = await store.snapshot()
  t.strictSame([snapshot.nodes, snapshot.services, snapshot.grants], [[], [], []])
  t.equal(cache.current.service(CITIZENS_ID), undefined)
  t.equal(cache.current.node('population'), undefined)
  t.equal(cache.current.version, snapshot.version)
})

t.test('a failing cache refresh does not turn a stored change into an error', async (t) => {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  const app = Fastify({ logger: false })
  await app.register(problemPlugin)
  await app.register(registryAdminRoutes, { store, adminToken: TOKEN, onChange: async () => { throw new Error('cache unreachable') } })
  t.teardown(async () => { await app.close(); await store.close() })
  const response = await app.inject({ method: 'POST', url: '/v1/registry/members', headers: { authorization: `Bearer ${TOKEN}` }, payload: G01 })
  t.equal(response.statusCode, 201)
  t.ok(await store.getMember(G01.code))
})

t.test('refuses to start without an admin token', async (t) => {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  const app = Fastify({ logger: false })
  t.teardown(async () => { await app.close(); await store.close() })
  await t.rejects(async () => { await app.register(registryAdminRoutes, { store, adminToken: '', onChange: async () => {} }) }, /admin token/)
})

t.test('OpenAPI lists every admin route with its schemas', async (t) => {
  const { app } = await build(t, true)
  const response = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(response.statusCode, 200)
  const doc = response.json() as { paths: Record<string, Record<string, { requestBody?: unknown, security?: unknown }>>, components: { schemas: Record<string, unknown> } }
  const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort()
  t.strictSame(listed, [
    'DELETE /v1/registry/grants/{id}', 'DELETE /v1/registry/members/{code}', 'DELETE /v1/registry/members/{code}/keys/{id}',
    'DELETE /v1/registry/members/{code}/subsystems/{subsystem}', 'DELETE /v1/registry/nodes/{id}',
    'DELETE /v1/registry/services/{memberCode}/{subsystemCode}/{serviceCode}',
    'GET /v1/registry/grants', 'GET /v1/registry/grants/{id}', 'GET /v1/registry/members', 'GET /v1/registry/members/{code}',
    'GET /v1/registry/members/{code}/keys', 'GET /v1/registry/members/{code}/keys/{id}', 'GET /v1/registry/members/{code}/subsystems',
    'GET /v1/registry/members/{code}/subsystems/{subsystem}', 'GET /v1/registry/nodes', 'GET /v1/registry/nodes/{id}',
    'GET /v1/registry/services', 'GET /v1/registry/services/{memberCode}/{subsystemCode}/{serviceCode}',
    'PATCH /v1/registry/grants/{id}', 'PATCH /v1/registry/members/{code}', 'PATCH /v1/registry/members/{code}/subsystems/{subsystem}',
    'PATCH /v1/registry/nodes/{id}', 'PATCH /v1/registry/services/{memberCode}/{subsystemCode}/{serviceCode}',
    'POST /v1/registry/grants', 'POST /v1/registry/members', 'POST /v1/registry/members/{code}/keys',
    'POST /v1/registry/members/{code}/keys/{id}/revoke', 'POST /v1/registry/members/{code}/subsystems', 'POST /v1/registry/nodes',
    'POST /v1/registry/services',
  ])
  t.ok(doc.paths['/v1/registry/members']?.post?.requestBody, 'bodies documented')
  t.strictSame(doc.paths['/v1/registry/members']?.get?.security, [{ bearer: [] }])
  for (const id of ['Member', 'MemberCreate', 'ServiceCreate', 'GrantCreate', 'ApiKeyIssued', 'ApiKeyInfo', 'Problem']) {
    t.ok(doc.components.schemas[id], `component ${id}`)
  }
  // Errors are documented with the content type they are sent with.
  const responses = Object.values(doc.paths).flatMap((methods) => Object.values(methods).flatMap((operation) => Object.entries((operation as { responses: Record<string, { content?: Record<string, unknown> }> }).responses)))
  const errorTypes = new Set(responses.filter(([status]) => Number(status) >= 400).flatMap(([, response]) => Object.keys(response.content ?? {})))
  t.strictSame([...errorTypes], ['application/problem+json'])
  t.ok(responses.some(([status, response]) => status === '200' && response.content?.['application/json'] !== undefined), 'successes stay application/json')
})
