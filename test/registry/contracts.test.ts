// Registry schemas and identifier helpers under hostile input: wrong types, missing and extra fields,
// SQL-ish and unicode strings, huge values.
import t from 'tap'
import { z } from 'zod'
import { NdxpError } from '../../contracts/errors.js'
import * as registry from '../../contracts/registry.js'

const HUGE = 'A'.repeat(1_000_000)
const SQLISH = "'; DROP TABLE members; --"
const uuid = '0190f5a4-7c3e-7b1a-9d2e-3f4a5b6c7d8e'
const hash = 'a'.repeat(64)
const ts = '2025-07-01T00:00:00.000Z'
const member = { code: '000.00.00.G01', memberClass: 'GOV', name: 'Bộ Công an', kind: 'ministry', rateLimit: { ratePerSecond: 200, burst: 400 } }
const endpoint = { method: 'GET', path: '/citizens/{personalId}' }
const service = {
  memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens', nodeId: 'population', upstreamPath: '/citizens',
  timeoutMs: 60_000, endpoints: [endpoint], carriesPersonalData: true,
}
const clientId = { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.H49', subsystemCode: 'DVCTINH' }
const serviceId = { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' }
const node = { id: 'population', memberCode: '000.00.00.G01', baseUrl: 'http://127.0.0.1:8101', lastHeartbeatAt: null, health: 'unknown' }
const apiKey = { id: uuid, memberCode: '000.00.00.G01', hash, label: 'connector', createdAt: ts }
const grant = { id: uuid, client: clientId, service: serviceId, createdAt: ts }

interface ObjectCase { schema: z.ZodType, valid: Record<string, unknown>, optional?: string[], nullable?: string[] }
const objectCases: Record<string, ObjectCase> = {
  rateLimit: { schema: registry.rateLimitSchema, valid: { ratePerSecond: 0.5, burst: 1 } },
  endpoint: { schema: registry.endpointSchema, valid: endpoint },
  member: { schema: registry.memberSchema, valid: member },
  memberCreate: { schema: registry.memberCreateSchema, valid: member },
  memberUpdate: { schema: registry.memberUpdateSchema, valid: { name: 'x', kind: 'ministry', rateLimit: { ratePerSecond: 1, burst: 1 } }, optional: ['name', 'kind', 'rateLimit'] },
  subsystem: { schema: registry.subsystemSchema, valid: { memberCode: '000.00.00.G01', code: 'CSDLQGDC', name: 'x' } },
  subsystemCreate: { schema: registry.subsystemCreateSchema, valid: { memberCode: '000.00.00.G01', code: 'CSDLQGDC', name: 'x' } },
  subsystemUpdate: { schema: registry.subsystemUpdateSchema, valid: { name: 'x' } },
  apiKey: { schema: registry.apiKeySchema, valid: { ...apiKey, revokedAt: ts }, optional: ['revokedAt'] },
  apiKeyCreate: { schema: registry.apiKeyCreateSchema, valid: { label: 'x' } },
  newApiKey: { schema: registry.newApiKeySchema, valid: { memberCode: '000.00.00.G01', hash, label: 'x' } },
  apiKeyIssued: { schema: registry.apiKeyIssuedSchema, valid: { id: uuid, memberCode: '000.00.00.G01', label: 'x', createdAt: ts, key: 'ndxp_x' } },
  node: { schema: registry.nodeSchema, valid: node, nullable: ['lastHeartbeatAt'] },
  nodeCreate: { schema: registry.nodeCreateSchema, valid: { id: 'population', memberCode: '000.00.00.G01', baseUrl: 'https://lgsp.example.vn/r' } },
  nodeUpdate: { schema: registry.nodeUpdateSchema, valid: { baseUrl: 'http://127.0.0.1:8101' } },
  service: { schema: registry.serviceSchema, valid: { ...service, openapiUrl: 'http://127.0.0.1:8101/docs/json' }, optional: ['openapiUrl'] },
  serviceCreate: { schema: registry.serviceCreateSchema, valid: service, optional: ['timeoutMs', 'carriesPersonalData', 'openapiUrl'] },
  serviceUpdate: { schema: registry.serviceUpdateSchema, valid: { timeoutMs: 5, openapiUrl: 'http://x.vn/o' }, optional: ['timeoutMs', 'openapiUrl'], nullable: ['openapiUrl'] },
  clientId: { schema: registry.clientIdSchema, valid: clientId },
  serviceId: { schema: registry.serviceIdSchema, valid: serviceId },
  grant: { schema: registry.grantSchema, valid: { ...grant, endpoints: [endpoint], quota: { ratePerSecond: 1, burst: 2 } }, optional: ['endpoints', 'quota'] },
  grantCreate: { schema: registry.grantCreateSchema, valid: { client: clientId, service: serviceId, endpoints: [endpoint] }, optional: ['endpoints', 'quota'] },
  grantUpdate: { schema: registry.grantUpdateSchema, valid: { endpoints: [endpoint], quota: { ratePerSecond: 1, burst: 1 } }, optional: ['endpoints', 'quota'], nullable: ['endpoints', 'quota'] },
  snapshot: { schema: registry.registrySnapshotSchema, valid: { version: 3, instance: 'VN', members: [member], subsystems: [], apiKeys: [apiKey], nodes: [node], services: [service], grants: [grant] } },
}

/** Values of every JSON type but the field's own (and the usual non-JSON suspects). */
function wrongTypes (value: unknown): unknown[] {
  const all = ['text', 42, true, null, [], {}, undefined, Number.NaN, 10n, Symbol('s'), () => 1, new Date(0)]
  return all.filter((w) => typeof w !== typeof value || Array.isArray(w) !== Array.isArray(value) || (w === null) !== (value === null))
}

t.test('every object schema: valid example passes; wrong types, missing and extra fields fail', async (t) => {
  for (const [name, c] of Object.entries(objectCases)) {
    t.ok(c.schema.safeParse(c.valid).success, `${name}: valid example passes`)
    for (const whole of wrongTypes(c.valid)) t.notOk(c.schema.safeParse(whole).success, `${name}: rejects ${typeof whole} as a whole`)
    for (const [key, value] of Object.entries(c.valid)) {
      const { [key]: _, ...without } = c.valid
      const isOptional = c.optional?.includes(key) ?? false
      t.equal(c.schema.safeParse(without).success, isOptional || name === 'memberUpdate', `${name}: without ${key} ${isOptional ? 'passes' : 'fails'}`)
      for (const wrong of wrongTypes(value)) {
        if (wrong === undefined && isOptional) continue
        if (wrong === null && c.nullable?.includes(key)) continue
        t.notOk(c.schema.safeParse({ ...c.valid, [key]: wrong }).success, `${name}.${key}: rejects ${typeof wrong}`)
      }
    }
    t.notOk(c.schema.safeParse({ ...c.valid, unexpected: 1 }).success, `${name}: rejects an unknown field`)
    const polluted = JSON.parse(`{"__proto__": {"admin": true}, ${JSON.stringify(c.valid).slice(1)}`) as unknown
    t.notOk(c.schema.safeParse(polluted).success, `${name}: rejects a __proto__ key`)
  }
  t.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype pollution')
})

t.test('update schemas refuse an empty change', async (t) => {
  for (const schema of [registry.memberUpdateSchema, registry.serviceUpdateSchema, registry.grantUpdateSchema]) t.notOk(schema.safeParse({}).success)
  t.notOk(registry.memberUpdateSchema.safeParse({ code: '000.00.00.G02' }).success, 'identity is not updatable')
  t.notOk(registry.memberUpdateSchema.safeParse({ memberClass: 'COM' }).success)
  t.notOk(registry.serviceUpdateSchema.safeParse({ serviceCode: 'x' }).success)
})

t.test('member codes: agency electronic ids only', async (t) => {
  for (const ok of ['000.00.00.G01', '000.00.13.G12', '000.00.01.H49', 'G01', '0100109106', 'A'.repeat(35)]) t.ok(registry.memberCodeSchema.safeParse(ok).success, ok)
  for (const bad of ['', '000.00.00.g01', '000..00.G01', '.000', '000.', 'A'.repeat(36), '000 00', SQLISH, HUGE, '０００.00.00.G01', '000.00.00.Ｇ01', '000.00.00.G01\u0000', '000/00', 'Ǵ01', '\u0000']) {
    t.notOk(registry.memberCodeSchema.safeParse(bad).success, `rejects ${JSON.stringify(bad.slice(0, 20))}`)
  }
})

t.test('subsystem, service and instance codes: X-Road identifier characters, 1 to 64', async (t) => {
  for (const schema of [registry.subsystemCodeSchema, registry.serviceCodeSchema, registry.instanceSchema]) {
    for (const ok of ['DVCTINH', 'health-cards', "A'()+,-.=?z", 'x'.repeat(64), '...', '.a', 'a..']) t.ok(schema.safeParse(ok).success, ok)
    for (const bad of ['', 'x'.repeat(65), 'a/b', 'a b', 'a;b', 'a%20b', 'a*', 'ĐVC', 'DVC\u200B', '😀', SQLISH, HUGE, 'a\nb', '.', '..']) {
      t.notOk(schema.safeParse(bad).success, `rejects ${JSON.stringify(bad.slice(0, 20))}`)
    }
  }
  t.notOk(registry.memberClassSchema.safeParse('gov').success)
  t.notOk(registry.memberClassSchema.safeParse('ORG').success)
  t.notOk(registry.nodeIdSchema.safeParse('-lead').success)
  t.notOk(registry.nodeIdSchema.safeParse('../etc').success)
})

t.test('names and labels: trimmed, NFC, visible characters only, bounded', async (t) => {
  const name = registry.subsystemUpdateSchema
  t.strictSame(name.parse({ name: '  Cổng  ' }), { name: 'Cổng' })
  t.strictSame(name.parse({ name: 'Co\u0302\u0309ng' }), { name: 'Cổng' }, 'decomposed Vietnamese is composed')
  t.strictSame(name.parse({ name: SQLISH }), { name: SQLISH }, 'SQL-looking text is just text')
  t.ok(name.safeParse({ name: 'x'.repeat(200) }).success)
  for (const bad of ['', '  ', 'x'.repeat(201), HUGE, 'a\u0000b', 'a\u0007b', 'a\u202Eb', 'a\u200Bb', 'a\uFEFFb', 'a\uD800b', 'a\uDC00', 'a\r\nb']) {
    t.notOk(name.safeParse({ name: bad }).success, `rejects ${JSON.stringify(bad.slice(0, 12))}`)
  }
})

t.test('kind and class go together', async (t) => {
  t.notOk(registry.memberSchema.safeParse({ ...member, kind: 'enterprise' }).success)
  t.notOk(registry.memberSchema.safeParse({ ...member, memberClass: 'COM' }).success)
  t.ok(registry.memberSchema.safeParse({ ...member, memberClass: 'COM', kind: 'enterprise' }).success)
  t.ok(registry.memberSchema.safeParse({ ...member, memberClass: 'COM', kind: 'national-database-operator' }).success)
})

t.test('rate limits: positive, finite, whole bursts', async (t) => {
  for (const [ratePerSecond, burst] of [[0, 1], [-1, 1], [1, 0], [1, 1.5], [Number.NaN, 1], [Infinity, 1], [1, Infinity], [1e7, 1], [1, 1e8], [1, -0]]) {
    t.notOk(registry.rateLimitSchema.safeParse({ ratePerSecond, burst }).success, `rejects ${ratePerSecond}/${burst}`)
  }
  t.ok(registry.rateLimitSchema.safeParse({ ratePerSecond: 0.1, burst: 1 }).success)
})

t.test('upstream paths and endpoint patterns: segments only, no traversal', async (t) => {
  for (const ok of ['/', '/citizens', '/a/b-c_d.e~f', '/%E1%BA%A0', "/a:b@c!$&'()+,;="]) t.ok(registry.upstreamPathSchema.safeParse(ok).success, ok)
  for (const ok of ['/', '/citizens/{personalId}', '/parcels/{communeCode}/{sheet}/{parcel}', '/x/*', '/*/y']) t.ok(registry.pathPatternSchema.safeParse(ok).success, ok)
  const badBoth = ['', 'citizens', '/citizens/', '//x', '/a//b', '/a/../b', '/a/./b', '/..', '/%2e%2E/x', '/a%2fb', '/a%5Cb', '/a?b=1', '/a#f', '/a b', '/ả', '/a\u0000', '/%zz', HUGE, `/${'a'.repeat(512)}`, '/a\\b']
  for (const bad of [...badBoth, '/x/*', '/{id}']) t.notOk(registry.upstreamPathSchema.safeParse(bad).success, `upstream rejects ${JSON.stringify(bad.slice(0, 20))}`)
  for (const bad of [...badBoth, '/{}', '/{1id}', '/{a-b}', '/x{id}', '/*x', '/**', '/{id}/{id}', '/{id']) t.notOk(registry.pathPatternSchema.safeParse(bad).success, `pattern rejects ${JSON.stringify(bad.slice(0, 20))}`)
  t.notOk(registry.endpointSchema.safeParse({ method: 'get', path: '/x' }).success, 'methods are upper case')
  t.notOk(registry.endpointSchema.safeParse({ method: 'TRACE', path: '/x' }).success)
  t.ok(registry.endpointSchema.safeParse({ method: '*', path: '/x' }).success)
})

t.test('services: endpoints lie under upstreamPath, no duplicates, bounded list', async (t) => {
  t.notOk(registry.serviceSchema.safeParse({ ...service, endpoints: [{ method: 'GET', path: '/citizensX/{id}' }] }).success, 'a prefix must end at a segment')
  t.ok(registry.serviceSchema.safeParse({ ...service, endpoints: [{ method: 'GET', path: '/citizens' }] }).success)
  t.ok(registry.serviceSchema.safeParse({ ...service, upstreamPath: '/', endpoints: [{ method: 'GET', path: '/anything/{x}' }] }).success)
  t.notOk(registry.serviceSchema.safeParse({ ...service, endpoints: [] }).success)
  t.notOk(registry.serviceSchema.safeParse({ ...service, endpoints: [endpoint, endpoint] }).success)
  t.notOk(registry.serviceSchema.safeParse({ ...service, endpoints: Array.from({ length: 201 }, (_, i) => ({ method: 'GET', path: `/citizens/${i}` })) }).success)
  for (const timeoutMs of [0, -1, 1.5, 600_001, '60000']) t.notOk(registry.serviceSchema.safeParse({ ...service, timeoutMs }).success, `timeout ${String(timeoutMs)}`)
  const created = registry.serviceCreateSchema.parse({ ...service, timeoutMs: undefined, carriesPersonalData: undefined })
  t.equal(created.timeoutMs, registry.DEFAULT_SERVICE_TIMEOUT_MS)
  t.equal(created.carriesPersonalData, true)
})

t.test('URLs: absolute http(s) only, no credentials, query or fragment; base URLs without a trailing slash', async (t) => {
  const base = (baseUrl: unknown): boolean => registry.nodeUpdateSchema.safeParse({ baseUrl }).success
  for (const ok of ['http://127.0.0.1:8101', 'https://lgsp.quangninh.gov.vn', 'http://[::1]:8080/prefix', 'http://xn--qungninh-6x0d.gov.vn', 'http://quảngninh.gov.vn']) t.ok(base(ok), ok)
  for (const bad of ['http://127.0.0.1:8101/', 'ftp://x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'http://user:pw@x', 'http://x?y=1', 'http://x#f', 'http://x/?', '//x', '/x', 'x', '', 'http://', 'http:// x', ' http://x', `http://x/${'a'.repeat(2048)}`, HUGE]) {
    t.notOk(base(bad), `rejects ${JSON.stringify(bad.slice(0, 30))}`)
  }
})

t.test('keys, ids and timestamps', async (t) => {
  for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), `${'a'.repeat(63)}\n`]) t.notOk(registry.keyHashSchema.safeParse(bad).success)
  for (const bad of ['not-a-uuid', `${uuid}x`, SQLISH, '']) t.notOk(registry.apiKeyIdSchema.safeParse(bad).success)
  for (const createdAt of ['2025-07-01', 'yesterday', '2025-13-01T00:00:00Z', 0]) t.notOk(registry.apiKeySchema.safeParse({ ...apiKey, createdAt }).success, String(createdAt))
})

t.test('identifier strings round-trip and malformed ones say which part is wrong and why', async (t) => {
  t.strictSame(registry.parseClientId('VN/GOV/000.00.00.H49/DVCTINH'), clientId)
  t.strictSame(registry.parseServiceId('VN/GOV/000.00.00.G01/CSDLQGDC/citizens'), serviceId)
  t.equal(registry.formatClientId(registry.parseClientId('VN/COM/0100109106/ERP')), 'VN/COM/0100109106/ERP')
  t.equal(registry.formatServiceId(serviceId as registry.ServiceId), 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens')
  const wrong = (parse: (s: string) => unknown, text: unknown, pattern: RegExp): void => {
    let error: unknown
    try { parse(text as string) } catch (e) { error = e }
    t.ok(error instanceof NdxpError && error.code === 'client.invalid_identifier', `${JSON.stringify(String(text).slice(0, 40))} is rejected`)
    t.match((error as Error).message, pattern)
    t.ok((error as Error).message.length < 600, 'the message stays short')
  }
  wrong(registry.parseClientId, 'VN/GOV/000.00.00.H49', /found 3.*must name its subsystem/)
  wrong(registry.parseClientId, 'VN/GOV/000.00.00.H49/DVCTINH/extra', /expected 4 parts.*found 5/)
  wrong(registry.parseClientId, 'VN/GOV/000.00.00.h49/DVCTINH', /part 3 \(member code\) "000\.00\.00\.h49".*upper-case/)
  wrong(registry.parseClientId, 'VN/ORG/000.00.00.H49/DVCTINH', /part 2 \(member class\).*GOV.*COM/)
  wrong(registry.parseClientId, 'V N/GOV/000.00.00.H49/DVCTINH', /part 1 \(instance\)/)
  wrong(registry.parseClientId, 'VN/GOV/000.00.00.H49/', /part 4 \(subsystem code\) "".*empty/)
  wrong(registry.parseClientId, `VN/GOV/000.00.00.H49/${SQLISH}`, /part 4 \(subsystem code\).*may contain only/)
  wrong(registry.parseClientId, 'VN/GOV/000.00.00.H49/DVC\u202ETINH', /part 4.*\\u202e|part 4/)
  wrong(registry.parseClientId, HUGE, /1000000 characters long/)
  wrong(registry.parseClientId, `VN/GOV/000.00.00.H49/${'x'.repeat(300)}`, /part 4.*at most 64/)
  wrong(registry.parseClientId, '', /found 1/)
  wrong(registry.parseClientId, 42, /expected a string, got number/)
  wrong(registry.parseClientId, null, /got null/)
  wrong(registry.parseServiceId, 'VN/GOV/000.00.00.G01/CSDLQGDC', /found 4.*subsystem and service/)
  wrong(registry.parseServiceId, 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens/extra', /found 6/)
  wrong(registry.parseServiceId, 'VN/GOV/000.00.00.G01/CSDLQGDC/cit izens', /part 5 \(service code\)/)
  wrong(registry.parseServiceId, 'VN%2FGOV/GOV/000.00.00.G01/CSDLQGDC/x', /part 1 \(instance\)/)
})

t.test('every schema converts to JSON Schema with its OpenAPI name', async (t) => {
  const named: Array<[z.ZodType, string]> = [
    [registry.memberSchema, 'Member'], [registry.memberCreateSchema, 'MemberCreate'], [registry.memberUpdateSchema, 'MemberUpdate'],
    [registry.subsystemSchema, 'Subsystem'], [registry.subsystemCreateSchema, 'SubsystemCreate'], [registry.subsystemUpdateSchema, 'SubsystemUpdate'],
    [registry.apiKeySchema, 'ApiKey'], [registry.apiKeyCreateSchema, 'ApiKeyCreate'], [registry.apiKeyIssuedSchema, 'ApiKeyIssued'],
    [registry.nodeSchema, 'Node'], [registry.nodeCreateSchema, 'NodeCreate'], [registry.nodeUpdateSchema, 'NodeUpdate'],
    [registry.serviceSchema, 'Service'], [registry.serviceCreateSchema, 'ServiceCreate'], [registry.serviceUpdateSchema, 'ServiceUpdate'],
    [registry.clientIdSchema, 'ClientId'], [registry.serviceIdSchema, 'ServiceId'], [registry.grantSchema, 'Grant'],
    [registry.grantCreateSchema, 'GrantCreate'], [registry.grantUpdateSchema, 'GrantUpdate'], [registry.registrySnapshotSchema, 'RegistrySnapshot'],
    [registry.rateLimitSchema, 'RateLimit'], [registry.endpointSchema, 'Endpoint'],
  ]
  for (const [schema, id] of named) {
    t.equal(z.globalRegistry.get(schema)?.id, id)
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(schema, { io }) as { $ref?: string, $defs?: Record<string, unknown> }
      t.ok(json.$defs?.[id] !== undefined, `${id} (${io}) is a named definition`)
    }
  }
})
