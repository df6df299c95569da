// The SQLite transaction log: the shared contract on :memory: and on a real file, plus what only a file can show.
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import { HOUR_MS } from '../../gateway/transactions/store.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { DVCTINH_H29, DVCTINH_H49, T0, bruteForceStats, expectError, makeRecord, sameStats, syntheticRecords, transactionStoreContract } from './transaction-store-contract.js'

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

t.test('rows carry two indexes; pages walk them, and rollup minutes, in order without sorting', async (t) => {
  const filename = join(t.testdir({}), 'plan.db')
  const store = await openSqliteTransactionStore({ filename })
  await store.append(syntheticRecords(50, T0, HOUR_MS))
  await store.close()
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  const indexes = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions'").pluck().all() as string[]).sort()
  t.strictSame(indexes, ['sqlite_autoindex_transactions_1', 'transactions_time'], 'by id and by time, nothing per dimension')
  const plan = (sql: string): string => (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ')
  const order = 'ORDER BY request_in_ts DESC, seq DESC LIMIT 10'
  for (const where of ['', 'WHERE request_in_ts >= 1 AND request_in_ts < 60001 AND client = 1', 'WHERE request_in_ts >= 1 AND request_in_ts < 60001 AND (client_member = 1 OR service_member = 1) AND succeeded = 0',
    'WHERE outcome = 2 AND request_in_ts <= 9 AND (request_in_ts < 9 OR seq < 3)']) {
    const rows = plan(`SELECT * FROM transactions ${where} ${order}`)
    t.match(rows, /USING INDEX transactions_time/, `${where || 'no filter'}: ${rows}`)
    t.notMatch(rows, /TEMP B-TREE/, 'no sort')
  }
  const minutes = plan('SELECT DISTINCT start FROM transaction_rollups WHERE view = 0 AND level = 0 AND start >= 0 AND start < 9 AND client = 1 AND succeeded < count ORDER BY start DESC LIMIT 64')
  t.match(minutes, /USING PRIMARY KEY/, minutes)
  t.notMatch(minutes, /TEMP B-TREE/, 'candidate minutes come in index order')
})

t.test('a filtered page finds sparse matches across many minutes and past trimmed rows', async (t) => {
  const store = await openSqliteTransactionStore({ filename: join(t.testdir({}), 'sparse.db'), maxTransactions: 400 })
  t.teardown(() => store.close())
  // 300 minutes of another client's traffic, with this client's record every other minute: more
  // candidate minutes than one read of the rollups brings back (64), and rows the retention deletes.
  const records = Array.from({ length: 600 }, (_, i) => makeRecord({ requestInTs: T0 + i * 30_000, client: i % 4 === 1 ? DVCTINH_H29 : DVCTINH_H49 }))
  for (let i = 0; i < records.length; i += 50) await store.append(records.slice(i, i + 50))
  const kept = records.slice(200)
  const want = kept.filter((r) => r.clientSubsystemCode !== null && r.clientMemberCode === '000.00.00.H29').map((r) => r.id).reverse()
  t.equal(want.length, 100, 'the sparse client has 100 records, in 100 minutes, left after retention')
  t.strictSame((await store.query({ client: DVCTINH_H29, limit: 1000 })).items.map((r) => r.id), want, 'one page across more minutes than one read brings back')
  const seen: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.query({ client: DVCTINH_H29, limit: 2, ...(cursor === undefined ? {} : { cursor }) })
    seen.push(...page.items.map((r) => r.id))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  t.strictSame(seen, want, 'every kept match once, newest first; trimmed ones are gone, though their minutes still count')
  const range = await store.query({ client: DVCTINH_H29, from: T0 + 300 * 30_000, to: T0 + 500 * 30_000, limit: 100 })
  t.strictSame(range.items.map((r) => r.id), kept.filter((r) => r.clientMemberCode === '000.00.00.H29' && r.requestInTs >= T0 + 300 * 30_000 && r.requestInTs < T0 + 500 * 30_000).map((r) => r.id).reverse(), 'a time range bounds the minutes walked')
  t.strictSame((await store.query({ client: DVCTINH_H29, succeeded: false, limit: 10 })).items, [], 'a filter that no minute matches finds nothing')
})

t.test('a version 1 log is upgraded in place: the per-dimension indexes go, every record stays', async (t) => {
  const filename = join(t.testdir({}), 'v1.db')
  const records = syntheticRecords(120, T0, HOUR_MS)
  const before = await openSqliteTransactionStore({ filename })
  await before.append(records)
  await before.close()
  // Turn the file back into what version 1 left: its eight dimension indexes and its version.
  const raw = new Database(filename)
  for (const [name, columns] of [['client', 'client, request_in_ts'], ['service', 'service, request_in_ts'], ['client_member', 'client_member, request_in_ts'],
    ['service_member', 'service_member, request_in_ts'], ['provider', 'provider, request_in_ts'], ['status', 'status_code, request_in_ts'], ['outcome', 'outcome, request_in_ts']]) {
    raw.exec(`CREATE INDEX transactions_${name} ON transactions (${columns})`)
  }
  raw.exec('CREATE INDEX transactions_failed ON transactions (request_in_ts) WHERE succeeded = 0; UPDATE transaction_schema SET version = 1')
  raw.close()
  const after = await openSqliteTransactionStore({ filename })
  t.teardown(() => after.close())
  t.equal(await after.count(), 120)
  const failed = await after.query({ member: '000.00.00.H29', succeeded: false, limit: 1000 })
  const expected = records.filter((r) => !r.succeeded && r.clientMemberCode === '000.00.00.H29').sort((a, b) => b.requestInTs - a.requestInTs || records.indexOf(b) - records.indexOf(a))
  t.strictSame(failed.items.map((r) => r.id), expected.map((r) => r.id), 'filtered pages answer from the upgraded file')
  const check = new Database(filename, { readonly: true })
  t.teardown(() => check.close())
  t.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions'").pluck().get(), 2)
  t.equal(check.prepare('SELECT version FROM transaction_schema').pluck().get(), 2)
})
