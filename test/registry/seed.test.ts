// The default federation: what other components build against, idempotent application, dev keys.
import t, { type Test } from 'tap'
import { formatClientId, formatServiceId, type Grant } from '../../contracts/registry.js'
import { API_KEY_PREFIX, deriveDevApiKey, generateApiKey, hashApiKey, isWellFormedApiKey } from '../../registry/keys.js'
import { DEFAULT_DEV_SECRET, DEV_KEY_LABEL, applySeed, defaultSeed, parseSeed, type Seed } from '../../registry/seed.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import type { RegistryStore } from '../../registry/store.js'
import { expectError } from './store-contract.js'
import seedJson from '../../registry/seed.json' with { type: 'json' }

const dev = { devSecret: DEFAULT_DEV_SECRET, nodeEnv: undefined }
const open = async (t: Test): Promise<RegistryStore> => {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  t.teardown(() => store.close())
  return store
}
type Entry = Record<string, unknown>
interface SeedDocument { instance: string, members: Entry[], subsystems: Entry[], services: Entry[], grants: Entry[], [key: string]: unknown }
const copy = (): SeedDocument => structuredClone(seedJson) as SeedDocument
const edit = (entry: Entry | undefined, changes: Entry): void => { Object.assign(entry ?? {}, changes) }
const grantLine = (g: Pick<Grant, 'client' | 'service'>): string => `${formatClientId(g.client)} → ${formatServiceId(g.service)}`

t.test('the default seed pins the nodes, ports and services other components are built against', async (t) => {
  const seed = defaultSeed()
  t.equal(seed.instance, 'VN')
  t.strictSame(seed.nodes.map((n) => [n.id, n.memberCode, n.baseUrl]), [
    ['population', '000.00.00.G01', 'http://127.0.0.1:8101'],
    ['insurance', '000.00.13.G12', 'http://127.0.0.1:8102'],
    ['civil-status', '000.00.00.G15', 'http://127.0.0.1:8103'],
    ['land', '000.00.00.G10', 'http://127.0.0.1:8104'],
  ])
  const services = Object.fromEntries(seed.services.map((s) => [`${s.memberCode}/${s.subsystemCode}/${s.serviceCode}`, { node: s.nodeId, up: s.upstreamPath, endpoints: s.endpoints.map((e) => `${e.method} ${e.path}`) }]))
  t.strictSame(services, {
    '000.00.00.G01/CSDLQGDC/citizens': { node: 'population', up: '/citizens', endpoints: ['GET /citizens/{personalId}', 'POST /citizens/verify', 'GET /citizens/{personalId}/household', 'POST /citizens/newborns'] },
    '000.00.13.G12/CSDLBH/insured': { node: 'insurance', up: '/insured', endpoints: ['GET /insured/{code}', 'GET /insured/{code}/household'] },
    '000.00.13.G12/CSDLBH/health-cards': { node: 'insurance', up: '/health-cards', endpoints: ['GET /health-cards/{cardNumber}', 'POST /health-cards'] },
    '000.00.00.G15/HOTICH/civil-records': { node: 'civil-status', up: '/civil-records', endpoints: ['GET /civil-records/{registrationNumber}', 'GET /civil-records/by-person/{personalId}'] },
    '000.00.00.G15/HOTICH/births': { node: 'civil-status', up: '/births', endpoints: ['POST /births'] },
    '000.00.00.G10/CSDLDD/parcels': { node: 'land', up: '/parcels', endpoints: ['GET /parcels/{communeCode}/{sheet}/{parcel}', 'GET /parcels/by-holder/{personalId}'] },
    '000.00.00.G10/CSDLDD/certificates': { node: 'land', up: '/certificates', endpoints: ['GET /certificates/{serial}'] },
  })
  t.ok(seed.services.every((s) => s.carriesPersonalData && s.timeoutMs === 60_000))
  const members = new Map(seed.members.map((m) => [m.code, m]))
  t.match(members.get('000.00.00.G01'), { name: 'Bộ Công an', kind: 'ministry' })
  t.match(members.get('000.00.13.G12'), { kind: 'national-database-operator' })
  for (const code of ['000.00.00.H49', '000.00.00.H57', '000.00.00.H41', '000.00.00.H56']) {
    t.match(members.get(code), { kind: 'province', rateLimit: { ratePerSecond: 50, burst: 100 } }, `${code} is a province at 50/s burst 100`)
  }
  t.ok(seed.members.filter((m) => m.kind === 'ministry').every((m) => m.rateLimit.ratePerSecond > 50), 'ministries get more than provinces')
})

t.test('the seeded grants follow the real flows, narrowed where the flow is narrow', async (t) => {
  const grants = new Map(defaultSeed().grants.map((g) => [grantLine(g), g.endpoints?.map((e) => `${e.method} ${e.path}`)]))
  t.strictSame(grants.get('VN/GOV/000.00.00.G15/HOTICH → VN/GOV/000.00.00.G01/CSDLQGDC/citizens'), ['POST /citizens/newborns', 'POST /citizens/verify', 'GET /citizens/{personalId}'], 'civil status obtains personal IDs for newborns')
  t.strictSame(grants.get('VN/GOV/000.00.00.G15/HOTICH → VN/GOV/000.00.13.G12/CSDLBH/health-cards'), ['POST /health-cards'], 'births of children under 6 become health cards')
  t.ok(grants.get('VN/GOV/000.00.13.G12/CSDLBH → VN/GOV/000.00.00.G01/CSDLQGDC/citizens')?.includes('POST /citizens/verify'), 'insurance verifies citizens')
  t.notOk(grants.get('VN/GOV/000.00.00.H49/DVCTINH → VN/GOV/000.00.00.G01/CSDLQGDC/citizens')?.includes('POST /citizens/newborns'), 'provinces cannot issue personal IDs')
  t.notOk(grants.has('VN/GOV/000.00.00.H49/DVCTINH → VN/GOV/000.00.13.G12/CSDLBH/health-cards'), 'nothing is granted that no flow needs')
})

t.test('API keys: prefixed base64url secrets, SHA-256 hex hashes, dev keys a pure function of secret and member', async (t) => {
  const issued = generateApiKey()
  t.match(issued.key, /^ndxp_[A-Za-z0-9_-]{43}$/)
  t.equal(issued.hash, hashApiKey(issued.key))
  t.not(generateApiKey().key, issued.key)
  const fixed = generateApiKey((size) => Buffer.alloc(size, 0xff))
  t.equal(fixed.key, `${API_KEY_PREFIX}${'_'.repeat(42)}8`, 'base64url of the random bytes')
  t.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256 test vector')
  t.equal(hashApiKey('Bộ Công an'), hashApiKey('Bộ Công an'.normalize('NFC')))
  t.ok(isWellFormedApiKey(issued.key))
  for (const junk of ['', 'ndxp_', `${issued.key}x`, issued.key.slice(1), `Bearer ${issued.key}`, `ndxp_${'+'.repeat(43)}`, 42, null, undefined]) {
    t.notOk(isWellFormedApiKey(junk), `not a key: ${String(junk).slice(0, 20)}`)
  }
  const key = deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.G01')
  t.ok(isWellFormedApiKey(key))
  t.equal(deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.G01'), key, 'the same on every run')
  t.not(deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.G15'), key, 'different per member')
  t.not(deriveDevApiKey(`${DEFAULT_DEV_SECRET}!`, '000.00.00.G01'), key, 'different per secret')
})

t.test('applying the seed creates everything once; applying it again changes nothing', async (t) => {
  const store = await open(t)
  const seed = defaultSeed()
  const total = seed.members.length * 2 + seed.subsystems.length + seed.nodes.length + seed.services.length + seed.grants.length
  const first = await applySeed(store, seed, dev)
  t.match(first, { created: total, existing: 0, revokedKeys: 0 })
  const snapshot = await store.snapshot()
  t.equal(snapshot.grants.length, seed.grants.length)
  t.strictSame(snapshot.grants.map(grantLine).sort(), seed.grants.map(grantLine).sort())
  const second = await applySeed(store, seed, dev)
  t.match(second, { created: 0, existing: total, revokedKeys: 0 })
  t.strictSame(second.keys, first.keys)
  t.strictSame(await store.snapshot(), snapshot, 'same records, same version')
})

t.test('dev keys are derived from the secret, authenticate their member, and old ones are revoked when it changes', async (t) => {
  const store = await open(t)
  const seed = defaultSeed()
  const report = await applySeed(store, seed, dev)
  t.equal(report.keys.length, seed.members.length)
  for (const k of report.keys) {
    t.equal(k.key, deriveDevApiKey(DEFAULT_DEV_SECRET, k.memberCode))
    t.equal((await store.findMemberByKeyHash(hashApiKey(k.key)))?.code, k.memberCode)
    t.ok(k.active)
  }
  t.equal(new Set(report.keys.map((k) => k.key)).size, report.keys.length, 'one distinct key per member')
  const rotated = await applySeed(store, seed, { devSecret: 'a team secret of our own, 2025', nodeEnv: undefined })
  t.equal(rotated.revokedKeys, seed.members.length)
  for (const [i, k] of rotated.keys.entries()) {
    t.not(k.key, report.keys[i]?.key)
    t.equal((await store.findMemberByKeyHash(hashApiKey(k.key)))?.code, k.memberCode)
    t.equal(await store.findMemberByKeyHash(hashApiKey(report.keys[i]?.key ?? '')), undefined, 'the key from the old secret no longer works')
  }
  const g01Keys = await store.listApiKeys('000.00.00.G01')
  t.ok(g01Keys.every((k) => k.label === DEV_KEY_LABEL))
})

t.test('admin changes survive re-seeding; an admin-revoked dev key is reported inactive, not revived', async (t) => {
  const store = await open(t)
  const first = await applySeed(store, defaultSeed(), dev)
  await store.updateMember('000.00.00.H49', { rateLimit: { ratePerSecond: 5, burst: 5 } })
  const [key] = await store.listApiKeys('000.00.00.H49')
  if (key !== undefined) await store.revokeApiKey(key.id)
  const again = await applySeed(store, defaultSeed(), dev)
  t.strictSame((await store.getMember('000.00.00.H49'))?.rateLimit, { ratePerSecond: 5, burst: 5 })
  t.match(again.keys.find((k) => k.memberCode === '000.00.00.H49'), { key: first.keys.find((k) => k.memberCode === '000.00.00.H49')?.key, active: false })
  t.equal(await store.findMemberByKeyHash(hashApiKey(deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.H49'))), undefined)
})

t.test('production refuses the default dev secret before touching the store; short secrets are refused anywhere', async (t) => {
  const store = await open(t)
  await expectError(t, applySeed(store, defaultSeed(), { devSecret: DEFAULT_DEV_SECRET, nodeEnv: 'production' }), 'client.bad_request', /production/)
  t.equal(await store.version(), 0)
  for (const devSecret of ['', 'short', 42, undefined]) {
    await expectError(t, applySeed(store, defaultSeed(), { devSecret: devSecret as never, nodeEnv: undefined }), 'client.bad_request', /at least 16/)
  }
  t.equal(await store.version(), 0)
  const report = await applySeed(store, defaultSeed(), { devSecret: 'production secret from the vault', nodeEnv: 'production' })
  t.ok(report.created > 0, 'a secret of its own is fine in production')
})

t.test('a seed for another instance is refused', async (t) => {
  const store = await open(t)
  const other = { ...copy(), instance: 'EE' }
  const seed = parseSeed(JSON.parse(JSON.stringify(other).replaceAll('"VN/', '"EE/')))
  await expectError(t, applySeed(store, seed, dev), 'client.bad_request', /EE/)
  t.equal(await store.version(), 0)
})

t.test('a broken seed is rejected with the path of each problem', async (t) => {
  const broken = (change: (seed: SeedDocument) => void): unknown => { const s = copy(); change(s); return s }
  const cases: Array<[string, unknown, RegExp]> = [
    ['duplicate member', broken((s) => s.members.push({ ...s.members[0] })), /members\.10: duplicate 000\.00\.00\.G01/],
    ['subsystem of no member', broken((s) => s.subsystems.push({ memberCode: '000.00.00.G99', code: 'X', name: 'x' })), /subsystems\.\d+\.memberCode: no member/],
    ['service on no node', broken((s) => edit(s.services[0], { nodeId: 'nowhere' })), /services\.0\.nodeId: no node nowhere/],
    ['grant to no service', broken((s) => edit(s.grants[0], { service: 'VN/GOV/000.00.00.G01/CSDLQGDC/taxes' })), /grants\.0\.service: no service/],
    ['grant with wrong class', broken((s) => edit(s.grants[0], { client: 'VN/COM/000.00.00.G15/HOTICH' })), /grants\.0\.client: no COM member/],
    ['malformed grant client', broken((s) => edit(s.grants[0], { client: 'VN/GOV/000.00.00.G15' })), /grants\.0\.client: Malformed client identifier/],
    ['narrowed to an undeclared endpoint', broken((s) => edit(s.grants[0], { endpoints: [{ method: 'DELETE', path: '/citizens/{personalId}' }] })), /grants\.0\.endpoints\.0: DELETE/],
    ['unknown top-level key', broken((s) => { s.extra = [] }), /extra/],
    ['bad member code', broken((s) => edit(s.members[0], { code: '000.00.00.g01' })), /members\.0\.code/],
    ['not an object', 'seed', /expected object/i],
  ]
  for (const [name, document, pattern] of cases) {
    await expectError(t, Promise.resolve().then(() => parseSeed(document)), 'client.bad_request', pattern).then(() => t.comment(name))
  }
})

t.test('the seed file parses to exactly what the store will hold for services and members', async (t) => {
  const store = await open(t)
  const seed: Seed = defaultSeed()
  await applySeed(store, seed, dev)
  t.strictSame(await store.listServices(), [...seed.services].sort((a, b) => `${a.memberCode}/${a.subsystemCode}/${a.serviceCode}` < `${b.memberCode}/${b.subsystemCode}/${b.serviceCode}` ? -1 : 1))
  t.strictSame(await store.listMembers(), [...seed.members].sort((a, b) => (a.code < b.code ? -1 : 1)))
})
