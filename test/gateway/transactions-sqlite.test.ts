// The SQLite transaction log: the shared contract on :memory: and on a real file, plus what only a file can show.
import Database from 'better-sqlite3'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { NAME } from '../../gateway/transactions/sqlite-names.js'
import { MIGRATIONS } from '../../gateway/transactions/sqlite-schema.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import { dimensionsOf, HOUR_MS, MINUTE_MS, type TransactionStore } from '../../gateway/transactions/store.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { DVCTINH_H29, DVCTINH_H49, T0, bruteForceStats, expectError, makeRecord, prng, sameStats, syntheticRecords, transactionStoreContract } from './transaction-store-contract.js'

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
  t.equal(raw.pragma('page_size', { simple: true }), 16384, 'a new file takes the larger pages blocks want')
  const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name)
  t.strictSame(tables, ['transaction_blocks', 'transaction_ids', 'transaction_meta', 'transaction_names', 'transaction_rollups', 'transaction_schema'])
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

t.test('records are kept in blocks, one per append and minute, found by minute; ids lead to their block', async (t) => {
  const filename = join(t.testdir({}), 'plan.db')
  const store = await openSqliteTransactionStore({ filename })
  const records = syntheticRecords(50, T0, HOUR_MS)
  await store.append(records)
  await store.append(records.slice(0, 10).map((r) => makeRecord({ requestInTs: r.requestInTs })))
  await store.close()
  const raw = new Database(filename, { readonly: true })
  t.teardown(() => raw.close())
  const minutes = new Set(records.map((r) => r.requestInTs - (r.requestInTs % MINUTE_MS)))
  const blocks = raw.prepare('SELECT minute, count, min_ts, max_ts FROM transaction_blocks ORDER BY seq').all() as Array<{ minute: number, count: number, min_ts: number, max_ts: number }>
  t.equal(blocks.length, minutes.size + new Set(records.slice(0, 10).map((r) => r.requestInTs - (r.requestInTs % MINUTE_MS))).size, 'a block per append and minute')
  t.equal(blocks.reduce((sum, b) => sum + b.count, 0), 60)
  for (const b of blocks) t.ok(b.min_ts >= b.minute && b.max_ts < b.minute + MINUTE_MS && b.min_ts <= b.max_ts, 'a block holds one minute')
  t.equal(raw.prepare('SELECT count(*) FROM transaction_ids').pluck().get(), 60, 'one id entry per record')
  const indexes = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'transaction_blocks'").pluck().all() as string[]).sort()
  t.strictSame(indexes, ['transaction_blocks_minute'], 'blocks carry one index, by minute')
  const plan = (sql: string): string => (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ')
  for (const [sql, index] of [
    ['SELECT seq, min_ts, max_ts FROM transaction_blocks WHERE minute = 60000', /USING INDEX transaction_blocks_minute/],
    ['SELECT DISTINCT minute FROM transaction_blocks WHERE minute >= 0 AND minute < 9 ORDER BY minute DESC LIMIT 64', /USING COVERING INDEX transaction_blocks_minute/],
    ['SELECT minute FROM transaction_blocks ORDER BY minute LIMIT 1', /USING COVERING INDEX transaction_blocks_minute/],
    ["SELECT tie FROM transaction_ids WHERE id = 'x'", /USING PRIMARY KEY/],
    ['SELECT DISTINCT start FROM transaction_rollups WHERE view = 0 AND level = 0 AND start >= 0 AND start < 9 AND client = 1 AND succeeded < count ORDER BY start DESC LIMIT 64', /USING PRIMARY KEY/],
  ] as const) {
    const steps = plan(sql)
    t.match(steps, index, `${sql}: ${steps}`)
    t.notMatch(steps, /TEMP B-TREE|SCAN transaction_\w+(;|$)/, 'no sort, and no scan but in index order')
  }
})

t.test('a batch over one block\'s slots splits, and equal timestamps still come latest arrival first', async (t) => {
  const store = await openSqliteTransactionStore({ filename: join(t.testdir({}), 'split.db') })
  t.teardown(() => store.close())
  const records = Array.from({ length: 2500 }, () => makeRecord({ requestInTs: T0 + 5 }))
  await store.append(records.slice(0, 2400))
  await store.append(records.slice(2400))
  t.strictSame(await idsPageByPage(store, { limit: 333 }), records.map((r) => r.id).reverse(), 'every record once, latest arrival first, across blocks and appends')
  t.strictSame(await store.get(records[2000]?.id as string), records[2000], 'a record of the third block of an append')
})

t.test('pages are exact however the blocks of a minute interleave in time', async (t) => {
  const store = await openSqliteTransactionStore({ filename: join(t.testdir({}), 'pages.db') })
  t.teardown(() => store.close())
  const random = prng(5)
  // Appends whose records scatter over the same two minutes, some on equal timestamps: a page may end
  // inside any block, and the blocks that end last need not hold the newest records.
  const records = Array.from({ length: 300 }, () => makeRecord({ requestInTs: T0 + Math.floor(random() * 400) * 300 }))
  for (let i = 0; i < 300; i += 30) await store.append(records.slice(i, i + 30))
  const want = records.map((r, arrival) => ({ r, arrival })).sort((a, b) => b.r.requestInTs - a.r.requestInTs || b.arrival - a.arrival).map(({ r }) => r.id)
  for (const limit of [1, 7, 64]) t.strictSame(await idsPageByPage(store, { limit }), want, `pages of ${limit}`)
  const to = T0 + 150 * 300
  t.strictSame((await store.query({ from: T0 + 50 * 300, to, limit: 1000 })).items.map((r) => r.id),
    want.filter((id) => { const ts = (records.find((r) => r.id === id) as TransactionRecord).requestInTs; return ts >= T0 + 50 * 300 && ts < to }), 'a time range within the minutes')
})

t.test('retention takes the oldest by requestInTs, however the blocks of a minute interleave in time', async (t) => {
  const store = await openSqliteTransactionStore({ filename: join(t.testdir({}), 'interleaved.db'), maxTransactions: 40 })
  t.teardown(() => store.close())
  const random = prng(3)
  // Five appends whose records are scattered over the same two minutes: every block spans most of one.
  const records = Array.from({ length: 100 }, () => makeRecord({ requestInTs: T0 + Math.floor(random() * 2 * MINUTE_MS) }))
  for (let i = 0; i < 100; i += 20) await store.append(records.slice(i, i + 20))
  t.equal(await store.count(), 40)
  const kept = records.map((r, arrival) => ({ r, arrival })).sort((a, b) => b.r.requestInTs - a.r.requestInTs || b.arrival - a.arrival).slice(0, 40).map(({ r }) => r.id)
  t.strictSame((await store.query({ limit: 100 })).items.map((r) => r.id), kept, 'the 40 newest stay, in order')
  for (const record of records) t.equal((await store.get(record.id))?.id, kept.includes(record.id) ? record.id : undefined)
  await store.append([records[0] as TransactionRecord])
  t.equal(await store.count(), 40, 'a trimmed id can be stored again, and is trimmed again as the oldest')
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
  t.strictSame(await idsPageByPage(store, { client: DVCTINH_H29, limit: 2 }), want, 'every kept match once, newest first; trimmed ones are gone, though their minutes still count')
  const range = await store.query({ client: DVCTINH_H29, from: T0 + 300 * 30_000, to: T0 + 500 * 30_000, limit: 100 })
  t.strictSame(range.items.map((r) => r.id), kept.filter((r) => r.clientMemberCode === '000.00.00.H29' && r.requestInTs >= T0 + 300 * 30_000 && r.requestInTs < T0 + 500 * 30_000).map((r) => r.id).reverse(), 'a time range bounds the minutes walked')
  t.strictSame((await store.query({ client: DVCTINH_H29, succeeded: false, limit: 10 })).items, [], 'a filter that no minute matches finds nothing')
})

for (const version of [1, 2]) {
  t.test(`a version ${version} log is upgraded in place: its rows move into blocks, every record and count stays`, async (t) => {
    const filename = join(t.testdir({}), `v${version}.db`)
    const records = syntheticRecords(1500, T0, 3 * HOUR_MS)
    writeOldLog(filename, version, records)
    const store = await openSqliteTransactionStore({ filename })
    t.teardown(() => store.close())
    t.equal(await store.count(), 1500)
    t.strictSame(await store.get(records[777]?.id as string), records[777])
    const order = (list: TransactionRecord[]): string[] => list.sort((a, b) => b.requestInTs - a.requestInTs || records.indexOf(b) - records.indexOf(a)).map((r) => r.id)
    const failed = await store.query({ member: '000.00.00.H29', succeeded: false, limit: 1000 })
    t.strictSame(failed.items.map((r) => r.id), order(records.filter((r) => !r.succeeded && r.clientMemberCode === '000.00.00.H29')), 'filtered pages answer from the blocks, equal times in the rows\' order')
    t.strictSame((await store.query({ limit: 1000 })).items.map((r) => r.id), order([...records]).slice(0, 1000), 'unfiltered too')
    await store.append(records.slice(0, 10))
    t.equal(await store.count(), 1500, 'moved ids are known: a replay adds nothing')
    const check = new Database(filename, { readonly: true })
    t.teardown(() => check.close())
    t.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'transactions'").pluck().get(), 0, 'the rows table is gone')
    t.equal(check.prepare('SELECT version FROM transaction_schema').pluck().get(), 3)
  })
}

/** The ids of every page of a query, following each nextCursor to the end. */
async function idsPageByPage (store: TransactionStore, query: TransactionQuery): Promise<string[]> {
  const seen: string[] = []
  let cursor: string | undefined
  do {
    const page = await store.query({ ...query, ...(cursor === undefined ? {} : { cursor }) })
    seen.push(...page.items.map((r) => r.id))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return seen
}

/**
 * What an earlier version left: its schema, a row per record with interned names, the row count, and
 * the minute rollups a filtered page reads (by client, no histograms: these tests read no stats).
 */
function writeOldLog (filename: string, version: number, records: readonly TransactionRecord[]): void {
  const raw = new Database(filename)
  for (const sql of MIGRATIONS.slice(0, version)) raw.exec(sql)
  raw.exec(`CREATE TABLE transaction_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT; INSERT INTO transaction_schema VALUES (1, ${version})`)
  const intern = raw.prepare('INSERT INTO transaction_names (kind, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = value RETURNING id').pluck()
  const insert = raw.prepare(`INSERT INTO transactions (id, message_id, request_in_ts, request_out_ts, response_in_ts, response_out_ts,
    client_instance, client_member_class, client_member_code, client_subsystem_code, service_instance, service_member_class,
    service_member_code, service_subsystem_code, service_code, provider_node_id, rest_method, rest_path, user_id_hash, issue,
    request_size, response_size, status_code, succeeded, fault_code, gateway_id, request_hash, response_hash,
    client, service, client_member, service_member, provider, outcome) VALUES (${Array.from({ length: 34 }, () => '?').join(', ')})`)
  raw.transaction(() => {
    for (const r of records) {
      const d = dimensionsOf(r)
      const ids = [intern.get(NAME.client, d.client), intern.get(NAME.service, d.service), intern.get(NAME.member, d.clientMember),
        intern.get(NAME.member, d.serviceMember), intern.get(NAME.provider, d.provider), intern.get(NAME.outcome, r.outcome)]
      insert.run(r.id, r.messageId, r.requestInTs, r.requestOutTs, r.responseInTs, r.responseOutTs, r.clientInstance, r.clientMemberClass,
        r.clientMemberCode, r.clientSubsystemCode, r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode, r.serviceSubsystemCode,
        r.serviceCode, r.providerNodeId, r.restMethod, r.restPath, r.userIdHash, r.issue, r.requestSize, r.responseSize, r.statusCode,
        r.succeeded ? 1 : 0, r.faultCode, r.gatewayId, r.requestHash, r.responseHash, ...ids)
    }
    raw.exec(`INSERT INTO transaction_rollups SELECT 0, 0, request_in_ts - request_in_ts % ${MINUTE_MS}, client, service, provider, status_code,
      outcome, client_member, service_member, count(*), sum(succeeded), 0, 0, '' FROM transactions GROUP BY 3, 4, 5, 6, 7, 8, 9, 10`)
    raw.prepare("UPDATE transaction_meta SET value = ? WHERE key = 'rows'").run(records.length)
  })()
  raw.close()
}
