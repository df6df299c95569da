// The registry admin API against callers it must refuse: no or wrong admin token on every route, and
// hostile bodies, path parameters and queries, none of which may change anything.
import Fastify, { type HTTPMethods } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import problemPlugin from '../../common/problem-plugin.js'
import { registryAdminRoutes } from '../../gateway/admin/plugin.js'
import { RegistryCache } from '../../gateway/registry-cache.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { CITIZENS, CITIZENS_ID, DVCTINH_ID, federation, G01 } from '../registry/store-contract.js'

const TOKEN = 'admin-token-for-tests'
const HUGE = 'A'.repeat(300 * 1024)

async function build (t: Test) {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  const routes: Array<{ method: string, url: string }> = []
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url })
  })
  const cache = new RegistryCache({ store, logger: app.log, pollMs: 3_600_000 })
  await federation(store)
  const grant = await store.createGrant({ client: DVCTINH_ID, service: CITIZENS_ID })
  await cache.start()
  const counter = { changes: 0 }
  await app.register(registryAdminRoutes, { store, adminToken: TOKEN, onChange: async () => { counter.changes++; await cache.refresh() } })
  await app.ready()
  t.teardown(async () => { await cache.stop(); await app.close(); await store.close() })
  return { app, store, routes, counter, grantId: grant.id, version: await store.version() }
}

t.test('every route answers 401 admin.unauthenticated without the right admin token, before reading the body', async (t) => {
  const { app, store, routes, counter, version } = await build(t)
  t.ok(routes.length >= 30, `${routes.length} routes collected`)
  const credentials: Array<[string, string | undefined]> = [
    ['none', undefined], ['wrong token', 'Bearer wrong-token'], ['token with a suffix', `Bearer ${TOKEN}x`],
    ['prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`], ['basic scheme', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`],
    ['bare token', TOKEN], ['empty bearer', 'Bearer '], ['two tokens', `Bearer ${TOKEN} ${TOKEN}`], ['huge', `Bearer ${'x'.repeat(8000)}`],
  ]
  for (const route of routes) {
    const url = route.url.replace(/:[A-Za-z]+/g, 'x')
    for (const [name, authorization] of credentials) {
      const response = await app.inject({
        method: route.method as HTTPMethods, url, headers: authorization === undefined ? {} : { authorization },
        ...(['POST', 'PATCH'].includes(route.method) ? { payload: { hostile: HUGE.slice(0, 1000) } } : {}),
      })
      // HEAD answers carry no body to read the code from.
      const code = route.method === 'HEAD' ? 'admin.unauthenticated' : (response.json() as { type?: string }).type
      if (response.statusCode !== 401 || code !== 'admin.unauthenticated') {
        t.fail(`${route.method} ${route.url} with ${name}: ${response.statusCode} ${response.body.slice(0, 200)}`)
      }
    }
  }
  const sample = await app.inject({ method: 'DELETE', url: '/v1/registry/members/000.00.00.G01' })
  t.match(sample.headers['content-type'], /^application\/problem\+json/)
  t.match(sample.json(), { type: 'admin.unauthenticated', status: 401, title: 'Missing or wrong admin token' })
  t.equal(await store.version(), version, 'nothing changed')
  t.equal(counter.changes, 0)
  t.ok(await store.getMember(G01.code))
  const ok = await app.inject({ method: 'GET', url: '/v1/registry/members', headers: { authorization: `bearer  ${TOKEN}` } })
  t.equal(ok.statusCode, 200, 'the scheme is case-insensitive, as RFC 7235 says')
})

const service = (patch: Record<string, unknown>) => ({ ...CITIZENS, serviceCode: 'other', ...patch })
const grantBody = (patch: Record<string, unknown>) => ({ client: DVCTINH_ID, service: { ...CITIZENS_ID, serviceCode: 'citizens' }, ...patch })

/** [method, url, body or raw JSON text, expected status, expected code]. */
type Case = [HTTPMethods, string, unknown, number, string]
const bodyCases: Case[] = [
  ['POST', '/v1/registry/members', {}, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: 1 }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: "'; DROP TABLE members; --" }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '０００.00.00.G02' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', name: 'x'.repeat(201) }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', name: 'Bộ\u202E Công an' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', name: 'a\u0000b' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', admin: true }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', kind: 'enterprise' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', rateLimit: { ratePerSecond: -1, burst: 1 } }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', '{"code":"000.00.00.G02","memberClass":"GOV","name":"x","kind":"ministry","rateLimit":{"ratePerSecond":1e309,"burst":1}}', 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', '{"__proto__":{"isAdmin":true},"code":"000.00.00.G02"}', 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', '{"code":', 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', [G01], 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', 'null', 400, 'client.bad_request'],
  ['POST', '/v1/registry/members', { ...G01, code: '000.00.00.G02', name: HUGE }, 413, 'client.payload_too_large'],
  ['PATCH', '/v1/registry/members/000.00.00.G01', {}, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/members/000.00.00.G01', { code: '000.00.00.G02' }, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/members/000.00.00.G01', { memberClass: 'COM' }, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/members/000.00.00.G01', { name: ['Bộ Công an'] }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/subsystems', { code: 'a b', name: 'x' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/subsystems', { code: '../H49', name: 'x' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/subsystems', { code: 'X', name: 'x', memberCode: '000.00.00.H49' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/subsystems', { code: '😀', name: 'x' }, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/members/000.00.00.G01/subsystems/CSDLQGDC', { name: '   ' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/keys', { label: '' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/keys', { label: 'mine', hash: 'a'.repeat(64) }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/members/000.00.00.G01/keys', { label: 'mine', key: `ndxp_${'a'.repeat(43)}` }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: 'javascript:alert(1)' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: 'file:///etc/passwd' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: 'http://user:pw@10.0.0.1' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: 'http://10.0.0.1/' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: 'http://10.0.0.1?x=1' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: ' http://10.0.0.1' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: '../../etc', memberCode: G01.code, baseUrl: 'http://10.0.0.1' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/nodes', { id: 'n', memberCode: G01.code, baseUrl: `http://${HUGE.slice(0, 5000)}` }, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/nodes/population', { baseUrl: 'http://10.0.0.1', id: 'other' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/../admin' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/citizens/..' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/%2e%2E/admin' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/citizens%2F..%2Fadmin' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/citizens%5C..' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '//evil.example' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: 'http://evil.example/citizens' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: '/citizens?admin=1' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ upstreamPath: `/${'a'.repeat(600)}` }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ endpoints: [{ method: 'GET', path: '/citizens/../admin' }] }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ endpoints: [{ method: 'GET', path: '/admin' }] }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ endpoints: [{ method: 'TRACE', path: '/citizens' }] }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ endpoints: [] }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ timeoutMs: '1000' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ timeoutMs: 1.5 }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ timeoutMs: 1e9 }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ carriesPersonalData: 'no' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/services', service({ serviceCode: 'a/b' }), 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/services/000.00.00.G01/CSDLQGDC/citizens', { serviceCode: 'renamed' }, 400, 'client.bad_request'],
  ['PATCH', '/v1/registry/services/000.00.00.G01/CSDLQGDC/citizens', { upstreamPath: '/citizens/%2e' }, 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ client: { ...DVCTINH_ID, instance: 'XX' } }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ client: { ...DVCTINH_ID, memberClass: 'ORG' } }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ client: 'VN/GOV/000.00.00.H49/DVCTINH' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ quota: { ratePerSecond: 1, burst: 0 } }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ id: '00000000-0000-4000-8000-000000000000' }), 400, 'client.bad_request'],
  ['POST', '/v1/registry/grants', grantBody({ createdAt: '2020-01-01T00:00:00.000Z' }), 400, 'client.bad_request'],
]

const paramCases: Case[] = [
  ['GET', "/v1/registry/members/'%3B%20DROP%20TABLE%20members%3B--", undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/members/000.00.00.G01%00', undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/members/%E2%80%AE000.00.00.G01', undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/members/..%2F..%2Fetc%2Fpasswd', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/members/000.00.00.G01%2Fsubsystems', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/members/000.00.00.g01', undefined, 400, 'client.invalid_identifier'],
  ['GET', `/v1/registry/members/${'A'.repeat(90)}`, undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/members/000.00.00.G01/subsystems/a%20b', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/members/000.00.00.G01/keys/not-a-uuid', undefined, 400, 'client.invalid_identifier'],
  ['POST', "/v1/registry/members/000.00.00.G01/keys/'%20OR%201=1/revoke", undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/nodes/..%2Fpopulation', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/nodes/.hidden', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/services/000.00.00.G01/CSDLQGDC/%2E%2E%2Fadmin', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', '/v1/registry/services/000.00.00.G01/..%2F..%2F/citizens', undefined, 400, 'client.invalid_identifier'],
  ['DELETE', "/v1/registry/grants/1'%20OR%20'1'='1", undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/grants/00000000-0000-0000-0000-00000000000G', undefined, 400, 'client.invalid_identifier'],
]

const queryCases: Case[] = [
  ['GET', '/v1/registry/nodes?memberCode=%27%20OR%201%3D1', undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/nodes?memberCode=000.00.00.G01&memberCode=000.00.00.H49', undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/nodes?limit=1000000', undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/services?nodeId=..%2Fpopulation', undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/services?memberCode=000.00.00.G01&where=1%3D1', undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/grants?client=bad', undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/grants?client=VN%2FGOV%2F000.00.00.H49%2FDVCTINH%2Fextra', undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/grants?service=VN%2FGOV%2F000.00.00.G01%2FCSDLQGDC', undefined, 400, 'client.invalid_identifier'],
  ['GET', '/v1/registry/grants?service=VN%2FGOV%2F%E2%80%AE%2FCSDLQGDC%2Fcitizens', undefined, 400, 'client.invalid_identifier'],
  ['GET', `/v1/registry/grants?client=${'A'.repeat(500)}`, undefined, 400, 'client.bad_request'],
  ['GET', '/v1/registry/grants?client=a&client=b', undefined, 400, 'client.bad_request'],
]

async function runCases (t: Test, cases: Case[]): Promise<void> {
  const { app, store, counter, version } = await build(t)
  for (const [method, url, body, status, code] of cases) {
    const response = await app.inject({
      method, url, headers: { authorization: `Bearer ${TOKEN}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
      ...(body === undefined ? {} : { payload: body as string }),
    })
    const label = `${method} ${url.slice(0, 100)} ${JSON.stringify(body)?.slice(0, 100) ?? ''}`
    t.equal(response.statusCode, status, label)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    const problem = response.json() as { type: string, detail: string }
    t.equal(problem.type, code, `${label}: ${problem.detail?.slice(0, 200)}`)
    t.ok(response.body.length < 4000, 'the answer does not echo the hostile input at length')
  }
  t.equal(await store.version(), version, 'the registry did not change')
  t.equal(counter.changes, 0)
}

t.test('hostile bodies are refused with problem+json and change nothing', (t) => runCases(t, bodyCases))
t.test('hostile path parameters are refused and change nothing', (t) => runCases(t, paramCases))
t.test('hostile queries are refused', (t) => runCases(t, queryCases))

// Fastify answers these before any route or error handler runs; the hub's `frameworkErrors` server
// option decides their body. Here only the status and the absence of side effects are pinned.
t.test('URLs the router itself refuses change nothing', async (t) => {
  const { app, store, version } = await build(t)
  const auth = { authorization: `Bearer ${TOKEN}` }
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/registry/members/${'A'.repeat(10_000)}`, headers: auth })).statusCode, 414)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/registry/members/%ZZ', headers: auth })).statusCode, 400)
  t.equal(await store.version(), version)
})

t.test('bodies must be JSON', async (t) => {
  const { app, store, version } = await build(t)
  const text = await app.inject({ method: 'POST', url: '/v1/registry/members', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, payload: JSON.stringify(G01) })
  t.equal(text.statusCode, 415)
  t.equal(text.json().type, 'client.unsupported_media_type')
  const form = await app.inject({ method: 'POST', url: '/v1/registry/members', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'code=000.00.00.G02' })
  t.equal(form.statusCode, 415)
  t.equal(await store.version(), version)
})

t.test('a grant id that does not exist is a 404, whatever else is sent', async (t) => {
  const { app, grantId } = await build(t)
  const missing = '00000000-0000-4000-8000-000000000000'
  const response = await app.inject({ method: 'PATCH', url: `/v1/registry/grants/${missing}`, headers: { authorization: `Bearer ${TOKEN}` }, payload: { quota: null } })
  t.equal(response.statusCode, 404)
  t.not(missing, grantId)
})
