// The SQLite registry store: the shared contract on :memory: and on a real file, plus what only a file can show.
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { generateApiKey } from '../../registry/keys.js'
import { CITIZENS_REF, DVCTINH_ID, CITIZENS_ID, G01, H49, expectError, federation, registryStoreContract } from './store-contract.js'

registryStoreContract(t, 'SQLite :memory:', () => openSqliteRegistryStore({ filename: ':memory:' }))

const dir = t.testdir({})
let files = 0
registryStoreContract(t, 'SQLite file', () => openSqliteRegistryStore({ filename: join(dir, `contract-${files++}.db`) }))

t.test('data and version survive closing and reopening a file', async (t) => {
  const filename = join(t.testdir({}), 'nested', 'dirs', 'ndxp.db')
  const first = await openSqliteRegistryStore({ filename })
  await federation(first)
  const { hash } = generateApiKey()
  await first.createApiKey({ memberCode: G01.code, hash, label: 'connector' })
  await first.createGrant({ client: DVCTINH_ID, service: CITIZENS_ID, endpoints: [{ method: 'POST', path: '/citizens/verify' }] })
  await first.recordHeartbeat('population', new Date('2025-07-01T00:00:00.000Z'), 'up')
  const before = await first.snapshot()
  await first.close()

  const second = await openSqliteRegistryStore({ filename })
  t.teardown(() => second.close())
  t.strictSame(await second.snapshot(), before)
  t.strictSame(await second.findMemberByKeyHash(hash), G01)
  await second.createMember({ ...H49, code: '000.00.00.H41', name: 'Ủy ban nhân dân tỉnh Nghệ An' })
  t.equal(await second.version(), before.version + 1, 'the version continues where it was')
})

t.test('files are opened in WAL mode with foreign keys enforced', async (t) => {
  const filename = join(t.testdir({}), 'wal.db')
  const store = await openSqliteRegistryStore({ filename })
  t.teardown(() => store.close())
  await federation(store)
  await store.createGrant({ client: DVCTINH_ID, service: CITIZENS_ID })
  t.ok(existsSync(`${filename}-wal`), 'a write-ahead log exists while open')
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(raw.pragma('user_version', { simple: true }), 1, 'schema migrated to the current version')
  await store.deleteMember(G01.code)
  t.strictSame(raw.pragma('foreign_key_check'), [], 'cascades leave no dangling rows')
  t.equal((raw.prepare('SELECT count(*) AS n FROM grants').get() as { n: number }).n, 0)
  t.equal((raw.prepare('SELECT count(*) AS n FROM services').get() as { n: number }).n, 0)
})

t.test('a second connection to the same file sees changes and the new version (replicas sharing a file)', async (t) => {
  const filename = join(t.testdir({}), 'shared.db')
  const a = await openSqliteRegistryStore({ filename })
  const b = await openSqliteRegistryStore({ filename })
  t.teardown(async () => { await a.close(); await b.close() })
  const seen = await b.version()
  await federation(a)
  t.ok(await b.version() > seen)
  t.strictSame(await b.getService(CITIZENS_REF), await a.getService(CITIZENS_REF))
  await expectError(t, b.createMember(G01), 'client.conflict')
})

t.test('SQL in names is data: tables are intact afterwards', async (t) => {
  const filename = join(t.testdir({}), 'inject.db')
  const store = await openSqliteRegistryStore({ filename })
  const evil = "x'); DROP TABLE members; DELETE FROM registry_version; --"
  await store.createMember({ ...G01, name: evil })
  await store.createSubsystem({ memberCode: G01.code, code: "'--", name: evil })
  await store.close()
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name)
  t.strictSame(tables, ['api_keys', 'grants', 'members', 'nodes', 'registry_version', 'services', 'subsystems'])
  t.strictSame(raw.prepare('SELECT name FROM members').all(), [{ name: evil }])
  t.equal((raw.prepare('SELECT version FROM registry_version').get() as { version: number }).version, 2)
})

t.test('refuses a database written by a newer schema, and a file that is not a database', async (t) => {
  const folder = t.testdir({})
  const newer = join(folder, 'newer.db')
  const raw = new Database(newer)
  raw.pragma('user_version = 99')
  raw.close()
  await expectError(t, openSqliteRegistryStore({ filename: newer }), 'server.store_unavailable', /newer/)
  const garbage = join(folder, 'garbage.db')
  writeFileSync(garbage, 'this is not a database, it only has the name of one'.repeat(100))
  await expectError(t, openSqliteRegistryStore({ filename: garbage }), 'server.store_unavailable', /garbage\.db/)
})

t.test('timestamps come from the injected clock; the instance is configurable and validated', async (t) => {
  const at = new Date('2025-07-01T08:00:00.000Z')
  const store = await openSqliteRegistryStore({ filename: ':memory:', instance: 'VN-TEST', clock: () => at })
  t.teardown(() => store.close())
  await federation(store)
  const key = await store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: 'x' })
  t.equal(key.createdAt, at.toISOString())
  t.equal((await store.revokeApiKey(key.id)).revokedAt, at.toISOString())
  const grant = await store.createGrant({ client: { ...DVCTINH_ID, instance: 'VN-TEST' }, service: { ...CITIZENS_ID, instance: 'VN-TEST' } })
  t.equal(grant.createdAt, at.toISOString())
  t.equal(grant.client.instance, 'VN-TEST')
  await expectError(t, store.createGrant({ client: DVCTINH_ID, service: CITIZENS_ID }), 'client.bad_request', /VN-TEST/)
  await expectError(t, openSqliteRegistryStore({ filename: ':memory:', instance: 'V N' }), 'client.bad_request')
})

t.test('a database locked by another process fails fast with server.store_unavailable, and the store recovers', async (t) => {
  const filename = join(t.testdir({}), 'locked.db')
  const store = await openSqliteRegistryStore({ filename, busyTimeoutMs: 0 })
  t.teardown(() => store.close())
  const other = new Database(filename)
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  await expectError(t, store.createMember(G01), 'server.store_unavailable', /locked by another process/)
  t.equal(await store.version(), 0, 'reads still work under WAL')
  other.exec('ROLLBACK')
  await store.createMember(G01)
  t.equal(await store.version(), 1)
})

t.test('separate :memory: stores share nothing', async (t) => {
  const a = await openSqliteRegistryStore({ filename: ':memory:' })
  const b = await openSqliteRegistryStore({ filename: ':memory:' })
  t.teardown(async () => { await a.close(); await b.close() })
  await a.createMember(G01)
  t.equal(await b.getMember(G01.code), undefined)
})
