// The SQLite transaction log: the shared contract on :memory: and on a real file, plus what only a file can show.
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import { HOUR_MS } from '../../gateway/transactions/store.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { DVCTINH_H29, T0, bruteForceStats, expectError, makeRecord, sameStats, syntheticRecords, transactionStoreContract } from './transaction-store-contract.js'

transactionStoreContract(t, 'SQLite :memory:', (options) => openSqliteTransactionStore({ filename: ':memory:', ...options }))

const dir = t.testdir({})
let files = 0
transactionStoreContract(t, 'SQLite file', (options) => openSqliteTransactionStore({ filename: join(dir, `contract-${files++}.db`), ...options }))

t.test('rows and rollups survive closing and reopening a file', async (t) => {
  const filename = join(t.testdir({}), 'nested', 'dirs', 'ndxp.db')
  const records = syntheticRecords(400, T0, 2 * HOUR_MS)
  const first = await openSqliteTransactionStore({ filename })
  await first.append(records.slice(0, 200))
  await first.close()
  const second = await openSqliteTransactionStore({ filename })
  t.teardown(() => second.close())
  await second.append(records.slice(150))
  t.equal(await second.count(), 400, 'replayed records are recognised after a restart')
  t.strictSame(await second.get(records[7]?.id as string), records[7])
  sameStats(t, await second.stats({ from: T0, to: T0 + 2 * HOUR_MS, interval: 'hour', groupBy: ['client', 'outcome'] }),
    bruteForceStats(records, T0, T0 + 2 * HOUR_MS, 'hour', ['client', 'outcome']), 'after reopening')
})

t.test('files are opened in WAL mode with synchronous=NORMAL', async (t) => {
  const filename = join(t.testdir({}), 'wal.db')
  const store = await openSqliteTransactionStore({ filename })
  t.teardown(() => store.close())
  await store.append([makeRecord()])
  t.ok(existsSync(`${filename}-wal`), 'a write-ahead log exists while open')
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
  const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name)
  t.strictSame(tables, ['transaction_meta', 'transaction_names', 'transaction_rollups', 'transaction_schema', 'transactions'])
})

t.test('the log and the registry can share one database file', async (t) => {
  const filename = join(t.testdir({}), 'ndxp.db')
  const registry = await openSqliteRegistryStore({ filename })
  const log = await openSqliteTransactionStore({ filename })
  t.teardown(async () => { await log.close(); await registry.close() })
  await registry.createMember({ code: '000.00.00.G01', memberClass: 'GOV', name: 'Bộ Công an', kind: 'ministry', rateLimit: { ratePerSecond: 10, burst: 20 } })
  await log.append([makeRecord()])
  t.equal(await log.count(), 1)
  t.equal((await registry.listMembers()).length, 1)
})

t.test('a second connection to the same file sees appends and adds to the same rollups', async (t) => {
  const filename = join(t.testdir({}), 'shared.db')
  const a = await openSqliteTransactionStore({ filename })
  const b = await openSqliteTransactionStore({ filename })
  t.teardown(async () => { await a.close(); await b.close() })
  const first = makeRecord({ requestInTs: T0, client: DVCTINH_H29 })
  await a.append([first])
  await b.append([first, makeRecord({ requestInTs: T0 + 1, client: DVCTINH_H29 })])
  t.equal(await a.count(), 2)
  const s = await a.stats({ from: T0, to: T0 + HOUR_MS, interval: 'total', groupBy: ['client'] })
  t.strictSame(s.rows.map((r) => [r.client, r.count]), [[DVCTINH_H29, 2]], 'names interned by one connection are read by the other')
})

t.test('refuses a newer schema and a file that is not a database', async (t) => {
  const folder = t.testdir({})
  const newer = join(folder, 'newer.db')
  const raw = new Database(newer)
  raw.exec('CREATE TABLE transaction_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO transaction_schema VALUES (1, 99)')
  raw.close()
  await expectError(t, openSqliteTransactionStore({ filename: newer }), 'server.store_unavailable', /newer/)
  const garbage = join(folder, 'garbage.db')
  writeFileSync(garbage, 'this is not a database, it only has the name of one'.repeat(100))
  await expectError(t, openSqliteTransactionStore({ filename: garbage }), 'server.store_unavailable', /garbage\.db/)
  await expectError(t, openSqliteTransactionStore({ filename: ':memory:', maxTransactions: 0 }), 'client.bad_request', /maxTransactions/)
})

t.test('page queries walk an index in order instead of sorting every match', async (t) => {
  const filename = join(t.testdir({}), 'plan.db')
  const store = await openSqliteTransactionStore({ filename })
  await store.append(syntheticRecords(50, T0, HOUR_MS))
  await store.close()
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  const order = 'ORDER BY request_in_ts DESC, seq DESC LIMIT 10'
  for (const where of ['', 'WHERE client = 1', 'WHERE service = 1 AND request_in_ts < 5', 'WHERE client_member = 1', 'WHERE succeeded = 0', 'WHERE outcome = 2 AND request_in_ts <= 9 AND (request_in_ts < 9 OR seq < 3)']) {
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN SELECT * FROM transactions ${where} ${order}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ')
    t.match(plan, /USING INDEX/, `${where || 'no filter'}: ${plan}`)
    t.notMatch(plan, /TEMP B-TREE/, 'no sort')
  }
})
