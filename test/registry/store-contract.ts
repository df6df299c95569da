// The behaviour every RegistryStore backend must show; each backend's test runs it in one line.
import type { Test } from 'tap'
import { NdxpError } from '../../contracts/errors.js'
import { registrySnapshotSchema, type ClientId, type GrantCreate, type MemberCreate, type ServiceCreate, type ServiceId } from '../../contracts/registry.js'
import { generateApiKey } from '../../registry/keys.js'
import type { RegistryStore } from '../../registry/store.js'
import { expectError } from '../helpers/expect-error.js'

export { expectError }

export type MakeStore = () => Promise<RegistryStore>

export const G01 = { code: '000.00.00.G01', memberClass: 'GOV', name: 'Bộ Công an', kind: 'ministry', rateLimit: { ratePerSecond: 200, burst: 400 } } as const satisfies MemberCreate
export const H49 = { code: '000.00.00.H49', memberClass: 'GOV', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', kind: 'province', rateLimit: { ratePerSecond: 50, burst: 100 } } as const satisfies MemberCreate
export const ACME = { code: '0100109106', memberClass: 'COM', name: 'Công ty Cổ phần Ví dụ', kind: 'enterprise', rateLimit: { ratePerSecond: 5, burst: 10 } } as const satisfies MemberCreate
export const CITIZENS = {
  memberCode: G01.code, subsystemCode: 'CSDLQGDC', serviceCode: 'citizens', nodeId: 'population', upstreamPath: '/citizens',
  timeoutMs: 30_000, carriesPersonalData: true,
  endpoints: [{ method: 'GET', path: '/citizens/{personalId}' }, { method: 'POST', path: '/citizens/verify' }],
} as const satisfies ServiceCreate
export const CITIZENS_REF = { memberCode: G01.code, subsystemCode: 'CSDLQGDC', serviceCode: 'citizens' }
export const CITIZENS_ID: ServiceId = { instance: 'VN', memberClass: 'GOV', ...CITIZENS_REF }
export const DVCTINH_ID: ClientId = { instance: 'VN', memberClass: 'GOV', memberCode: H49.code, subsystemCode: 'DVCTINH' }

/** A provider (G01 with node and service) and a consumer (H49 with a subsystem). */
export async function federation (store: RegistryStore): Promise<void> {
  await store.createMember(G01)
  await store.createMember(H49)
  await store.createSubsystem({ memberCode: G01.code, code: 'CSDLQGDC', name: 'Cơ sở dữ liệu quốc gia về dân cư' })
  await store.createSubsystem({ memberCode: H49.code, code: 'DVCTINH', name: 'Cổng dịch vụ công tỉnh' })
  await store.createNode({ id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101' })
  await store.createService(CITIZENS)
}


const grant = (extra: Partial<GrantCreate> = {}): GrantCreate => ({ client: DVCTINH_ID, service: CITIZENS_ID, ...extra })
const HUGE = 'A'.repeat(1_000_000)
/** Not a valid identifier of any kind: each breaks the alphabet, the length or the type. */
const BAD_IDS: unknown[] = [
  '', HUGE, "'; DROP TABLE members; --", '000.00.00.G01/CSDLQGDC', 'ＧＯＶ', 'G01\u0000', '😀', ' G01', 'a b',
  null, 42, true, {}, [], 10n, Symbol('id'), new Date(0),
]
/** Not a valid name or label. */
const BAD_TEXT: unknown[] = ['', '   ', 'x'.repeat(201), HUGE, 'a\u0000b', 'a\u202Eb', 'a\uD800b', 'a\nb', null, 7, {}, ['a']]

export function registryStoreContract (t: Test, name: string, makeStore: MakeStore): Promise<unknown> {
  const open = async (t: Test): Promise<RegistryStore> => {
    const store = await makeStore()
    t.teardown(() => store.close())
    return store
  }

  return t.test(`${name} satisfies the RegistryStore contract`, async (t) => {
    t.test('a new store is empty, at version 0, and serves the VN instance', async (t) => {
      const store = await open(t)
      t.equal(store.instance, 'VN')
      t.equal(await store.version(), 0)
      t.same(await store.snapshot(), { version: 0, instance: 'VN', members: [], subsystems: [], apiKeys: [], nodes: [], services: [], grants: [] })
    })

    t.test('members: create, get, list sorted, update, delete', async (t) => {
      const store = await open(t)
      t.strictSame(await store.createMember(H49), H49)
      t.strictSame(await store.createMember(G01), G01)
      t.strictSame(await store.getMember(G01.code), G01)
      t.equal(await store.getMember('000.00.00.G99'), undefined)
      t.strictSame((await store.listMembers()).map((m) => m.code), [G01.code, H49.code])
      const updated = await store.updateMember(G01.code, { rateLimit: { ratePerSecond: 500, burst: 1000 } })
      t.strictSame(updated, { ...G01, rateLimit: { ratePerSecond: 500, burst: 1000 } })
      t.strictSame(await store.getMember(G01.code), updated)
      await store.deleteMember(G01.code)
      t.equal(await store.getMember(G01.code), undefined)
      t.equal((await store.listMembers()).length, 1)
    })

    t.test('members: duplicates conflict, missing ones are not found, identity cannot change', async (t) => {
      const store = await open(t)
      await store.createMember(G01)
      await expectError(t, store.createMember({ ...G01, name: 'Khác' }), 'client.conflict', /000\.00\.00\.G01/)
      await expectError(t, store.updateMember('000.00.00.G99', { name: 'X' }), 'client.not_found')
      await expectError(t, store.deleteMember('000.00.00.G99'), 'client.not_found')
      await expectError(t, store.updateMember(G01.code, { memberClass: 'COM' } as never), 'client.bad_request')
      await expectError(t, store.updateMember(G01.code, {}), 'client.bad_request')
      await expectError(t, store.updateMember(G01.code, { kind: 'enterprise' }), 'client.bad_request', /COM/)
      t.strictSame(await store.getMember(G01.code), G01)
    })

    t.test('text that looks like SQL or uses Vietnamese, emoji and combining marks is stored verbatim (NFC)', async (t) => {
      const store = await open(t)
      const names = ["Robert'); DROP TABLE members;--", '" OR 1=1 --', 'Ủy ban nhân dân tỉnh Quảng Ninh 😀', '%_\\']
      for (const [i, name] of names.entries()) {
        const code = `000.00.0${i}.H49`
        await store.createMember({ ...H49, code, name })
        t.equal((await store.getMember(code))?.name, name)
      }
      const decomposed = 'Bo\u0302\u0323 Co\u0302ng an'
      t.equal((await store.createMember({ ...G01, name: `  ${decomposed} ` })).name, 'Bộ Công an')
      t.equal((await store.getMember(G01.code))?.name, 'Bộ Công an')
      const oddCode = "A'()+,-.=?z"
      await store.createSubsystem({ memberCode: G01.code, code: oddCode, name: 'every X-Road identifier character' })
      t.equal((await store.getSubsystem(G01.code, oddCode))?.code, oddCode)
      t.equal((await store.listMembers()).length, names.length + 1)
    })

    t.test('every method rejects malformed arguments with client.bad_request and changes nothing', async (t) => {
      const store = await open(t)
      await federation(store)
      const { hash } = generateApiKey()
      const key = await store.createApiKey({ memberCode: G01.code, hash, label: 'k' })
      const g = await store.createGrant(grant())
      const before = await store.snapshot()
      const idCalls: Array<[string, (v: never) => Promise<unknown>]> = [
        ['createMember.code', (v) => store.createMember({ ...G01, code: v })],
        ['getMember', (v) => store.getMember(v)],
        ['updateMember', (v) => store.updateMember(v, { name: 'x' })],
        ['deleteMember', (v) => store.deleteMember(v)],
        ['createSubsystem.memberCode', (v) => store.createSubsystem({ memberCode: v, code: 'X', name: 'x' })],
        ['createSubsystem.code', (v) => store.createSubsystem({ memberCode: G01.code, code: v, name: 'x' })],
        ['getSubsystem', (v) => store.getSubsystem(G01.code, v)],
        ['listSubsystems', (v) => store.listSubsystems(v)],
        ['updateSubsystem', (v) => store.updateSubsystem(v, 'CSDLQGDC', { name: 'x' })],
        ['deleteSubsystem', (v) => store.deleteSubsystem(G01.code, v)],
        ['createApiKey.hash', (v) => store.createApiKey({ memberCode: G01.code, hash: v, label: 'x' })],
        ['createApiKey.memberCode', (v) => store.createApiKey({ memberCode: v, hash: generateApiKey().hash, label: 'x' })],
        ['getApiKey', (v) => store.getApiKey(v)],
        ['listApiKeys', (v) => store.listApiKeys(v)],
        ['revokeApiKey', (v) => store.revokeApiKey(v)],
        ['deleteApiKey', (v) => store.deleteApiKey(v)],
        ['findMemberByKeyHash', (v) => store.findMemberByKeyHash(v)],
        ['createNode.id', (v) => store.createNode({ id: v, memberCode: G01.code, baseUrl: 'http://127.0.0.1:1' })],
        ['getNode', (v) => store.getNode(v)],
        ['listNodes', (v) => store.listNodes(v)],
        ['updateNode', (v) => store.updateNode(v, { baseUrl: 'http://127.0.0.1:1' })],
        ['deleteNode', (v) => store.deleteNode(v)],
        ['recordHeartbeat', (v) => store.recordHeartbeat(v, new Date(0), 'up')],
        ['createService.serviceCode', (v) => store.createService({ ...CITIZENS, serviceCode: v })],
        ['createService.nodeId', (v) => store.createService({ ...CITIZENS, serviceCode: 'other', nodeId: v })],
        ['getService', (v) => store.getService({ ...CITIZENS_REF, serviceCode: v })],
        ['listServices', (v) => store.listServices({ memberCode: v })],
        ['updateService', (v) => store.updateService({ ...CITIZENS_REF, subsystemCode: v }, { timeoutMs: 1 })],
        ['deleteService', (v) => store.deleteService({ ...CITIZENS_REF, memberCode: v })],
        ['createGrant.client', (v) => store.createGrant(grant({ client: { ...DVCTINH_ID, subsystemCode: v } }))],
        ['createGrant.service', (v) => store.createGrant(grant({ service: { ...CITIZENS_ID, serviceCode: v } }))],
        ['getGrant', (v) => store.getGrant(v)],
        ['listGrants', (v) => store.listGrants({ client: { memberCode: H49.code, subsystemCode: v } })],
        ['updateGrant', (v) => store.updateGrant(v, { quota: null })],
        ['deleteGrant', (v) => store.deleteGrant(v)],
      ]
      for (const [label, call] of idCalls) {
        for (const value of BAD_IDS) {
          const error = await expectError(t, call(value as never), 'client.bad_request')
          if (error === undefined) t.comment(`${label} accepted ${typeof value === 'string' ? value.slice(0, 40) : typeof value}`)
        }
      }
      const textCalls: Array<(v: never) => Promise<unknown>> = [
        (v) => store.createMember({ ...ACME, name: v }),
        (v) => store.updateMember(G01.code, { name: v }),
        (v) => store.createSubsystem({ memberCode: G01.code, code: 'NEW', name: v }),
        (v) => store.updateSubsystem(G01.code, 'CSDLQGDC', { name: v }),
        (v) => store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: v }),
      ]
      for (const call of textCalls) for (const value of BAD_TEXT) await expectError(t, call(value as never), 'client.bad_request')
      const wholeArgs: unknown[] = [undefined, null, 'member', 42, [], JSON.parse('{"__proto__": {"polluted": true}}')]
      for (const value of wholeArgs) {
        await expectError(t, store.createMember(value as never), 'client.bad_request')
        await expectError(t, store.createService(value as never), 'client.bad_request')
        await expectError(t, store.createGrant(value as never), 'client.bad_request')
        await expectError(t, store.updateService(CITIZENS_REF, value as never), 'client.bad_request')
        await expectError(t, store.updateGrant(g.id, value as never), 'client.bad_request')
      }
      t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
      for (const at of ['2025-01-01T00:00:00Z', 0, new Date('nonsense'), null]) await expectError(t, store.recordHeartbeat('population', at as never, 'up'), 'client.bad_request')
      await expectError(t, store.recordHeartbeat('population', new Date(0), 'sideways' as never), 'client.bad_request')
      await expectError(t, store.createMember({ ...G01, code: '000.00.00.G02', extra: 1 } as never), 'client.bad_request', /extra/)
      for (const rate of [0, -1, Number.NaN, Infinity, '50', 1e300]) await expectError(t, store.updateMember(G01.code, { rateLimit: { ratePerSecond: rate as never, burst: 1 } }), 'client.bad_request')
      await expectError(t, store.updateMember(G01.code, { rateLimit: { ratePerSecond: 1, burst: 1.5 } }), 'client.bad_request')
      for (const baseUrl of ['ftp://x', 'javascript:alert(1)', 'http://u:p@x', 'http://x/?q', 'http://x/', '/relative', 'file:///etc/passwd']) {
        await expectError(t, store.updateNode('population', { baseUrl }), 'client.bad_request')
      }
      t.strictSame(await store.snapshot(), before, 'nothing changed, version included')
      t.ok(key.id)
    })

    t.test('subsystems: parent must exist, codes are case-sensitive, lists filter by member', async (t) => {
      const store = await open(t)
      await expectError(t, store.createSubsystem({ memberCode: G01.code, code: 'X', name: 'x' }), 'client.not_found', /Member/)
      await store.createMember(G01)
      await store.createMember(H49)
      await store.createSubsystem({ memberCode: H49.code, code: 'DVCTINH', name: 'a' })
      await store.createSubsystem({ memberCode: H49.code, code: 'dvctinh', name: 'b' })
      await store.createSubsystem({ memberCode: G01.code, code: 'DVCTINH', name: 'c' })
      await expectError(t, store.createSubsystem({ memberCode: H49.code, code: 'DVCTINH', name: 'd' }), 'client.conflict')
      t.strictSame((await store.listSubsystems(H49.code)).map((s) => s.code), ['DVCTINH', 'dvctinh'])
      t.equal((await store.listSubsystems()).length, 3)
      t.strictSame(await store.updateSubsystem(H49.code, 'dvctinh', { name: 'mới' }), { memberCode: H49.code, code: 'dvctinh', name: 'mới' })
      await expectError(t, store.updateSubsystem(H49.code, 'NOPE', { name: 'x' }), 'client.not_found')
      await store.deleteSubsystem(H49.code, 'dvctinh')
      await expectError(t, store.deleteSubsystem(H49.code, 'dvctinh'), 'client.not_found')
      t.equal(await store.getSubsystem(H49.code, 'dvctinh'), undefined)
    })

    t.test('API keys: only hashes are kept; revoked keys no longer identify a member', async (t) => {
      const store = await open(t)
      await store.createMember(G01)
      await store.createMember(H49)
      const first = generateApiKey()
      const second = generateApiKey()
      await expectError(t, store.createApiKey({ memberCode: '000.00.00.G99', hash: first.hash, label: 'x' }), 'client.not_found')
      const k1 = await store.createApiKey({ memberCode: G01.code, hash: first.hash, label: 'connector' })
      const k2 = await store.createApiKey({ memberCode: G01.code, hash: second.hash, label: 'spare' })
      t.match(k1, { memberCode: G01.code, hash: first.hash, label: 'connector' })
      t.notOk('revokedAt' in k1)
      t.ok(!Number.isNaN(Date.parse(k1.createdAt)))
      t.notOk(JSON.stringify(await store.snapshot()).includes(first.key), 'the key itself is stored nowhere')
      await expectError(t, store.createApiKey({ memberCode: H49.code, hash: first.hash, label: 'reuse' }), 'client.conflict')
      t.strictSame(await store.findMemberByKeyHash(first.hash), G01)
      t.equal(await store.findMemberByKeyHash(generateApiKey().hash), undefined)
      t.equal((await store.listApiKeys(G01.code)).length, 2)
      t.equal((await store.listApiKeys(H49.code)).length, 0)
      t.strictSame(await store.getApiKey(k1.id), k1)
      const revoked = await store.revokeApiKey(k1.id)
      t.ok(revoked.revokedAt !== undefined && !Number.isNaN(Date.parse(revoked.revokedAt)), 'revocation is timestamped')
      t.strictSame({ ...revoked, revokedAt: undefined }, { ...k1, revokedAt: undefined }, 'and nothing else changes')
      t.equal(await store.findMemberByKeyHash(first.hash), undefined)
      t.strictSame(await store.findMemberByKeyHash(second.hash), G01, 'other keys keep working')
      const version = await store.version()
      t.strictSame(await store.revokeApiKey(k1.id), revoked, 'revoking twice returns the same record')
      t.equal(await store.version(), version, 'and is not a change')
      await store.deleteApiKey(k2.id)
      t.equal(await store.getApiKey(k2.id), undefined)
      await expectError(t, store.deleteApiKey(k2.id), 'client.not_found')
      await expectError(t, store.revokeApiKey(k2.id), 'client.not_found')
    })

    t.test('nodes: heartbeats set health and time and bump the version; out-of-order beats are ignored', async (t) => {
      const store = await open(t)
      await expectError(t, store.createNode({ id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101' }), 'client.not_found')
      await store.createMember(G01)
      const node = await store.createNode({ id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101' })
      t.strictSame(node, { id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:8101', lastHeartbeatAt: null, health: 'unknown' })
      await expectError(t, store.createNode({ id: 'population', memberCode: G01.code, baseUrl: 'http://127.0.0.1:9' }), 'client.conflict')
      await expectError(t, store.recordHeartbeat('nowhere', new Date(0), 'up'), 'client.not_found')
      const v0 = await store.version()
      const t1 = new Date('2025-07-01T00:00:10.000Z')
      t.strictSame(await store.recordHeartbeat('population', t1, 'up'), { ...node, lastHeartbeatAt: t1.toISOString(), health: 'up' })
      const v1 = await store.version()
      t.ok(v1 > v0, 'unknown → up is a change')
      const t2 = new Date('2025-07-01T00:00:20.000Z')
      await store.recordHeartbeat('population', t2, 'up')
      t.ok(await store.version() > v1, 'so is a beat with the same health: hubs judge staleness by lastHeartbeatAt')
      t.equal((await store.getNode('population'))?.lastHeartbeatAt, t2.toISOString())
      const v2 = await store.version()
      t.strictSame(await store.recordHeartbeat('population', t1, 'down'), { ...node, lastHeartbeatAt: t2.toISOString(), health: 'up' }, 'an older beat is ignored')
      t.equal(await store.version(), v2, 'and is not a change')
      t.strictSame(await store.recordHeartbeat('population', t2, 'down'), { ...node, lastHeartbeatAt: t2.toISOString(), health: 'down' }, 'a beat at the same instant counts')
      t.equal((await store.snapshot()).nodes[0]?.health, 'down')
      t.equal((await store.updateNode('population', { baseUrl: 'https://population.example.vn/lgsp' })).baseUrl, 'https://population.example.vn/lgsp')
      await expectError(t, store.updateNode('nowhere', { baseUrl: 'http://127.0.0.1:1' }), 'client.not_found')
      t.strictSame((await store.listNodes(G01.code)).map((n) => n.id), ['population'])
      await store.deleteNode('population')
      t.equal(await store.getNode('population'), undefined)
      await expectError(t, store.deleteNode('population'), 'client.not_found')
    })

    t.test('services: defaults, parents must exist, endpoints stay under upstreamPath', async (t) => {
      const store = await open(t)
      await expectError(t, store.createService(CITIZENS), 'client.not_found', /Subsystem/)
      await federation(store)
      t.strictSame(await store.getService(CITIZENS_REF), CITIZENS)
      await expectError(t, store.createService(CITIZENS), 'client.conflict')
      await expectError(t, store.createService({ ...CITIZENS, serviceCode: 'x', nodeId: 'nowhere' }), 'client.not_found', /Node/)
      const { timeoutMs: _t, carriesPersonalData: _c, ...minimal } = CITIZENS
      const created = await store.createService({ ...minimal, serviceCode: 'citizens-v2' })
      t.equal(created.timeoutMs, 60_000, 'X-Road default timeout')
      t.equal(created.carriesPersonalData, true, 'personal unless declared otherwise')
      await expectError(t, store.createService({ ...CITIZENS, serviceCode: 'y', endpoints: [{ method: 'GET', path: '/households/{id}' }] }), 'client.bad_request', /upstreamPath/)
      const withUrl = await store.updateService(CITIZENS_REF, { openapiUrl: 'http://127.0.0.1:8101/docs/json', timeoutMs: 5000 })
      t.match(withUrl, { openapiUrl: 'http://127.0.0.1:8101/docs/json', timeoutMs: 5000 })
      const withoutUrl = await store.updateService(CITIZENS_REF, { openapiUrl: null })
      t.notOk('openapiUrl' in withoutUrl)
      t.strictSame(await store.getService(CITIZENS_REF), withoutUrl)
      await expectError(t, store.updateService(CITIZENS_REF, { upstreamPath: '/other' }), 'client.bad_request', /upstreamPath/)
      await expectError(t, store.updateService(CITIZENS_REF, { nodeId: 'nowhere' }), 'client.not_found')
      await expectError(t, store.updateService({ ...CITIZENS_REF, serviceCode: 'nope' }, { timeoutMs: 1 }), 'client.not_found')
      t.strictSame((await store.listServices({ nodeId: 'population' })).map((s) => s.serviceCode), ['citizens', 'citizens-v2'])
      t.equal((await store.listServices({ memberCode: H49.code })).length, 0)
      await store.deleteService({ ...CITIZENS_REF, serviceCode: 'citizens-v2' })
      await expectError(t, store.deleteService({ ...CITIZENS_REF, serviceCode: 'citizens-v2' }), 'client.not_found')
      await expectError(t, store.deleteNode('population'), 'client.conflict', /citizens/)
    })

    t.test('grants: every part must exist; narrowing uses declared endpoints; one grant per pair', async (t) => {
      const store = await open(t)
      await federation(store)
      const narrowed = await store.createGrant(grant({ endpoints: [{ method: 'POST', path: '/citizens/verify' }], quota: { ratePerSecond: 5, burst: 10 } }))
      t.match(narrowed, { client: DVCTINH_ID, service: CITIZENS_ID, endpoints: [{ method: 'POST', path: '/citizens/verify' }], quota: { ratePerSecond: 5, burst: 10 } })
      t.strictSame(await store.getGrant(narrowed.id), narrowed)
      await expectError(t, store.createGrant(grant()), 'client.conflict', new RegExp(narrowed.id))
      await expectError(t, store.createGrant(grant({ client: { ...DVCTINH_ID, instance: 'EE' } })), 'client.bad_request', /instance/i)
      await expectError(t, store.createGrant(grant({ client: { ...DVCTINH_ID, memberClass: 'COM' } })), 'client.not_found', /class GOV/)
      await expectError(t, store.createGrant(grant({ client: { ...DVCTINH_ID, subsystemCode: 'LGSP' } })), 'client.not_found', /LGSP/)
      await expectError(t, store.createGrant(grant({ client: { ...DVCTINH_ID, memberCode: '000.00.00.H41' } })), 'client.not_found', /H41/)
      await expectError(t, store.createGrant(grant({ service: { ...CITIZENS_ID, serviceCode: 'taxes' } })), 'client.not_found', /taxes/)
      await store.createSubsystem({ memberCode: G01.code, code: 'TEST', name: 'own consumer' })
      const own = { ...DVCTINH_ID, memberCode: G01.code, subsystemCode: 'TEST' }
      await expectError(t, store.createGrant(grant({ client: own, endpoints: [{ method: 'DELETE', path: '/citizens/{personalId}' }] })), 'client.bad_request', /not an endpoint/)
      const whole = await store.createGrant(grant({ client: own }))
      t.notOk('endpoints' in whole || 'quota' in whole, 'no narrowing, no own quota')
      t.strictSame((await store.listGrants({ client: { memberCode: H49.code, subsystemCode: 'DVCTINH' } })).map((g) => g.id), [narrowed.id])
      t.equal((await store.listGrants({ service: CITIZENS_REF })).length, 2)
      t.equal((await store.listGrants()).length, 2)
      const widened = await store.updateGrant(narrowed.id, { endpoints: null, quota: null })
      t.strictSame(widened, { id: narrowed.id, client: DVCTINH_ID, service: CITIZENS_ID, createdAt: narrowed.createdAt })
      t.strictSame(await store.getGrant(narrowed.id), widened)
      await expectError(t, store.updateGrant(narrowed.id, { endpoints: [{ method: 'GET', path: '/citizens/{id}' }] }), 'client.bad_request')
      await expectError(t, store.updateGrant('00000000-0000-4000-8000-000000000000', { quota: null }), 'client.not_found')
      await store.deleteGrant(narrowed.id)
      t.equal(await store.getGrant(narrowed.id), undefined)
      await expectError(t, store.deleteGrant(narrowed.id), 'client.not_found')
    })

    t.test('a service update may not drop an endpoint a grant is narrowed to', async (t) => {
      const store = await open(t)
      await federation(store)
      await store.createGrant(grant({ endpoints: [{ method: 'POST', path: '/citizens/verify' }] }))
      await expectError(t, store.updateService(CITIZENS_REF, { endpoints: [{ method: 'GET', path: '/citizens/{personalId}' }] }), 'client.conflict', /POST \/citizens\/verify/)
      const added = [...CITIZENS.endpoints, { method: 'GET', path: '/citizens/{personalId}/household' }] as const
      t.equal((await store.updateService(CITIZENS_REF, { endpoints: [...added] })).endpoints.length, 3)
    })

    t.test('deletion follows ownership and cascades completely', async (t) => {
      const store = await open(t)
      await federation(store)
      await store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: 'k' })
      await store.createGrant(grant())
      await store.createSubsystem({ memberCode: G01.code, code: 'TEST', name: 'x' })
      await store.createGrant(grant({ client: { ...DVCTINH_ID, memberCode: G01.code, subsystemCode: 'TEST' } }))
      await store.deleteSubsystem(H49.code, 'DVCTINH')
      t.equal((await store.listGrants()).length, 1, 'grants held by the subsystem went with it')
      await store.deleteMember(G01.code)
      const snap = await store.snapshot()
      t.strictSame({ members: snap.members.map((m) => m.code), subsystems: snap.subsystems, apiKeys: snap.apiKeys, nodes: snap.nodes, services: snap.services, grants: snap.grants },
        { members: [H49.code], subsystems: [], apiKeys: [], nodes: [], services: [], grants: [] })
    })

    t.test('a member whose node hosts another member\'s service cannot be deleted', async (t) => {
      const store = await open(t)
      await federation(store)
      await store.createSubsystem({ memberCode: H49.code, code: 'LGSP', name: 'x' })
      await store.createService({ ...CITIZENS, memberCode: H49.code, subsystemCode: 'LGSP', serviceCode: 'hosted' })
      const version = await store.version()
      await expectError(t, store.deleteMember(G01.code), 'client.conflict', /hosted/)
      t.equal(await store.version(), version)
      t.ok(await store.getService(CITIZENS_REF), 'nothing was deleted')
      await store.deleteMember(H49.code)
      await store.deleteMember(G01.code)
      t.equal((await store.listMembers()).length, 0)
    })

    t.test('version grows with every change, never with reads or failures', async (t) => {
      const store = await open(t)
      const versions = [await store.version()]
      const step = async (change: () => Promise<unknown>): Promise<void> => { await change(); versions.push(await store.version()) }
      await step(() => store.createMember(G01))
      await step(() => store.createMember(H49))
      await step(() => store.updateMember(G01.code, { name: 'Bộ Công an (C06)' }))
      await step(() => store.createSubsystem({ memberCode: H49.code, code: 'DVCTINH', name: 'x' }))
      await step(() => store.createApiKey({ memberCode: H49.code, hash: generateApiKey().hash, label: 'x' }))
      await step(() => store.deleteSubsystem(H49.code, 'DVCTINH'))
      await step(() => store.deleteMember(H49.code))
      for (let i = 1; i < versions.length; i++) t.ok((versions[i] ?? 0) > (versions[i - 1] ?? 0), `change ${i} bumped the version`)
      const last = await store.version()
      await store.snapshot()
      await store.listMembers()
      await store.createMember(G01).catch(() => undefined)
      await store.getMember('000.00.00.H49')
      t.equal(await store.version(), last)
    })

    t.test('snapshot: the whole registry at the version it reports, as independent copies', async (t) => {
      const store = await open(t)
      await federation(store)
      await store.createApiKey({ memberCode: H49.code, hash: generateApiKey().hash, label: 'x' })
      await store.createGrant(grant({ endpoints: [{ method: 'GET', path: '/citizens/{personalId}' }] }))
      const snap = await store.snapshot()
      t.ok(registrySnapshotSchema.safeParse(snap).success, 'matches the contract schema')
      t.equal(snap.version, await store.version())
      t.strictSame(snap.members, await store.listMembers())
      t.strictSame(snap.subsystems, await store.listSubsystems())
      t.strictSame(snap.apiKeys, await store.listApiKeys())
      t.strictSame(snap.nodes, await store.listNodes())
      t.strictSame(snap.services, await store.listServices())
      t.strictSame(snap.grants, await store.listGrants())
      const member = snap.members[0]
      if (member !== undefined) member.rateLimit.burst = 1
      snap.services[0]?.endpoints.pop()
      t.strictSame((await store.snapshot()).members, await store.listMembers())
      t.equal((await store.getService(CITIZENS_REF))?.endpoints.length, 2, 'mutating a snapshot changes nothing stored')
    })

    t.test('concurrent creation of the same record: exactly one wins, the rest conflict', async (t) => {
      const store = await open(t)
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.createMember(G01)))
      t.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
      t.ok(results.every((r) => r.status === 'fulfilled' || (r.reason instanceof NdxpError && r.reason.code === 'client.conflict')))
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.createSubsystem({ memberCode: G01.code, code: `S${i}`, name: 'x' })))
      t.equal((await store.listSubsystems(G01.code)).length, 20)
      t.ok(await store.version() >= 21, 'each creation counted')
    })

    t.test('close is idempotent and later calls fail with server.store_unavailable', async (t) => {
      const store = await makeStore()
      await store.createMember(G01)
      await store.close()
      await store.close()
      await expectError(t, store.getMember(G01.code), 'server.store_unavailable')
      await expectError(t, store.createMember(H49), 'server.store_unavailable')
      await expectError(t, store.snapshot(), 'server.store_unavailable')
      await expectError(t, store.version(), 'server.store_unavailable')
    })
  })
}
