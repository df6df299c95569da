// The Redis transaction log: the shared contract on a private redis-server, plus what only a shared,
// remote store can show: replicas appending at once, bounded memory, outages, keys and round trips.
import type { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { connectRedis, RedisKeys } from '../../common/redis.js'
import type { StatsQuery, StatsResult, TransactionRecord } from '../../contracts/transaction.js'
import { openRedisTransactionStore, type RedisTransactionStoreOptions } from '../../gateway/transactions/redis-store.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, type TransactionStore } from '../../gateway/transactions/store.js'
import { startRedis } from '../helpers/redis-server.js'
import {
  DVCTINH_H29, H49, T0, bruteForceStats, expectError, makeRecord, prng, sameStats, syntheticRecords, transactionStoreContract,
} from './transaction-store-contract.js'

const server = await startRedis(t)
const connect = async (db = 0): Promise<Redis> => {
  const client = await connectRedis({ url: `${server.url}/${db}`, name: 'ndxp-test' })
  t.teardown(() => { client.disconnect() })
  return client
}
const shared = await connect()
let prefixes = 0
const open = async (t: Test, options: Partial<RedisTransactionStoreOptions> = {}): Promise<TransactionStore> => {
  const store = await openRedisTransactionStore({ redis: shared, keys: new RedisKeys(`t${prefixes++}`), ...options })
  t.teardown(() => store.close())
  return store
}

transactionStoreContract(t, 'Redis', (options) => openRedisTransactionStore({ redis: shared, keys: new RedisKeys(`contract${prefixes++}`), ...options }))

const stats = (store: TransactionStore, query: Partial<StatsQuery>): Promise<StatsResult> => store.stats({ interval: 'total', groupBy: [], ...query })
const listAll = async (store: TransactionStore, limit = 1000): Promise<TransactionRecord[]> => {
  const items: TransactionRecord[] = []
  let cursor: string | undefined
  do {
    const page = await store.query({ limit, ...(cursor === undefined ? {} : { cursor }) })
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return items
}

t.test('two replicas appending at once: every exchange counted once, in rows and in rollups', async (t) => {
  // Two connections and two stores on one prefix: two hub replicas. Each appends 20 batches of 100,
  // out of requestInTs order; the middle 1000 records both append (a spool replayed on both sides).
  const records = syntheticRecords(3000, T0, 2 * HOUR_MS, 23)
  const keys = new RedisKeys(`replicas${prefixes++}`)
  const [a, b] = await Promise.all([connect(), connect()])
  const replicas = await Promise.all([a, b].map((redis) => openRedisTransactionStore({ redis, keys })))
  t.teardown(async () => { for (const store of replicas) await store.close() })
  const shuffle = (items: TransactionRecord[], seed: number): TransactionRecord[] => {
    const random = prng(seed)
    return items.map((r) => ({ r, k: random() })).sort((x, y) => x.k - y.k).map(({ r }) => r)
  }
  const shares = [shuffle(records.slice(0, 2000), 1), shuffle(records.slice(1000), 2)]
  await Promise.all(replicas.map(async (store, i) => {
    const share = shares[i] as TransactionRecord[]
    for (let at = 0; at < share.length; at += 100) await store.append(share.slice(at, at + 100))
  }))
  for (const store of replicas) t.equal(await store.count(), 3000, 'each replica counts 3000')
  const listed = await listAll(replicas[1] as TransactionStore)
  t.equal(listed.length, 3000, 'pages cover 3000 records')
  t.equal(new Set(listed.map((r) => r.id)).size, 3000, 'each once')
  t.ok(listed.every((r, i) => i === 0 || r.requestInTs <= (listed[i - 1] as TransactionRecord).requestInTs), 'newest first')
  t.strictSame(await replicas[0]?.get(records[1500]?.id as string), records[1500], 'a record both appended reads as appended')
  for (const [interval, groupBy] of [['total', []], ['hour', ['client', 'outcome']], ['minute', ['service']]] as const) {
    sameStats(t, await stats(replicas[0] as TransactionStore, { from: T0, to: T0 + 2 * HOUR_MS, interval, groupBy: [...groupBy] }),
      bruteForceStats(records, T0, T0 + 2 * HOUR_MS, interval, [...groupBy]), `${interval} by ${groupBy.join('+') || 'nothing'}`)
  }
})

t.test('trimming keeps the id index and the order index as small as the log', async (t) => {
  const store = await open(t, { maxTransactions: 1000 })
  const keys = new RedisKeys(`t${prefixes - 1}`)
  const records = Array.from({ length: 3000 }, (_, i) => makeRecord({ requestInTs: T0 + i * 100 }))
  for (let at = 0; at < records.length; at += 500) await store.append(records.slice(at, at + 500))
  t.equal(await store.count(), 1000)
  t.equal(await shared.xlen(keys.transactions('log')), 1000, 'stream entries')
  t.equal(await shared.hlen(keys.transactions('ids')), 1000, 'id index')
  t.equal(await shared.zcard(keys.transactions('order')), 1000, 'order index')
  t.strictSame((await listAll(store)).map((r) => r.id), records.slice(2000).reverse().map((r) => r.id), 'the newest 1000 remain')
  const [[, [field, json]]] = await shared.xrange(keys.transactions('log'), '-', '+', 'COUNT', 1) as [[string, [string, string]]]
  t.strictSame([field, JSON.parse(json)], ['record', records[2000]], 'the stream holds the records as JSON, for XREAD consumers')
  t.equal((await stats(store, { from: T0, to: T0 + HOUR_MS })).totals.count, 3000, 'rollups keep counting')
  await store.append(records.slice(2500))
  t.equal((await stats(store, { from: T0, to: T0 + HOUR_MS })).totals.count, 3000, 'ids of kept records still deduplicate')
})

t.test('an append of 500 records is one command, however many rollup rows it touches', async (t) => {
  const redis = await connect()
  const sent: string[] = []
  const send = redis.sendCommand.bind(redis)
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    sent.push(command.name)
    return (send as (...args: unknown[]) => unknown)(command, ...rest)
  }) as typeof redis.sendCommand
  const store = await openRedisTransactionStore({ redis, keys: new RedisKeys(`trips${prefixes++}`) })
  t.teardown(() => store.close())
  const records = syntheticRecords(1000, T0, 3 * HOUR_MS, 5)
  const scripts = async (): Promise<number> => {
    const stats = await shared.info('commandstats')
    return [...stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  }
  for (const batch of [records.slice(0, 500), records.slice(500)]) {
    sent.length = 0
    const before = await scripts()
    await store.append(batch)
    t.strictSame(sent.map((name) => name.toLowerCase().replace('evalsha', 'eval')), ['eval'], 'one command sent')
    t.equal(await scripts() - before, 1, 'one script run by Redis')
  }
})

t.test('Redis down: every method rejects within 2 s with server.store_unavailable; back: it works again, and replays count once', async (t) => {
  const own = await startRedis(t)
  const redis = await connectRedis({ url: own.url, name: 'ndxp-test-outage' })
  t.teardown(() => { redis.disconnect() })
  const store = await openRedisTransactionStore({ redis, keys: new RedisKeys('outage') })
  t.teardown(() => store.close())
  const batch = Array.from({ length: 50 }, (_, i) => makeRecord({ requestInTs: T0 + i * 1000, client: DVCTINH_H29 }))
  await own.kill()
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['append', () => store.append(batch)], ['get', () => store.get(batch[0]?.id as string)], ['query', () => store.query({ limit: 10 })],
    ['stats', () => stats(store, { from: T0, to: T0 + HOUR_MS })], ['count', () => store.count()],
  ]
  for (const [name, call] of calls) {
    const started = Date.now()
    const error = await expectError(t, call(), 'server.store_unavailable', /Redis/)
    t.ok(Date.now() - started < 2000, `${name} rejected in ${Date.now() - started} ms`)
    t.ok(error?.cause instanceof Error, 'the Redis error is kept as the cause')
  }
  await own.restart()
  const deadline = Date.now() + 10_000
  while (await store.count().then(() => false, () => true)) {
    if (Date.now() > deadline) throw new Error('the store did not come back within 10 s of Redis restarting')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await store.append(batch)
  await store.append(batch)
  t.equal(await store.count(), 50, 'the batch that failed is stored once, replayed twice')
  t.equal((await stats(store, { from: T0, to: T0 + HOUR_MS, groupBy: ['client'] })).totals.count, 50, 'and counted once')
})

t.test('an append that timed out but ran anyway is not doubled by its replay', async (t) => {
  // CLIENT PAUSE holds the script past the client's 1 s command timeout; Redis then runs it. The
  // writer (or the spool) sees a failure and appends the same batch again.
  const redis = await connect()
  const store = await openRedisTransactionStore({ redis, keys: new RedisKeys(`paused${prefixes++}`) })
  t.teardown(() => store.close())
  const batch = syntheticRecords(200, T0, HOUR_MS, 31)
  await store.count()
  const pauser = await connect()
  await pauser.call('CLIENT', 'PAUSE', '1500', 'ALL')
  const started = Date.now()
  await expectError(t, store.append(batch), 'server.store_unavailable', /timed? ?out/i)
  t.ok(Date.now() - started < 1900, `rejected after ${Date.now() - started} ms`)
  await new Promise((resolve) => setTimeout(resolve, 1600 - (Date.now() - started)))
  t.equal(await store.count(), 200, 'the timed-out append did run')
  await store.append(batch)
  t.equal(await store.count(), 200, 'the replay added nothing')
  sameStats(t, await stats(store, { from: T0, to: T0 + HOUR_MS, groupBy: ['outcome'] }), bruteForceStats(batch, T0, T0 + HOUR_MS, 'total', ['outcome']), 'counted once')
})

t.test('every key carries the deployment prefix and the one hash tag of the log', async (t) => {
  const redis = await connect(3)
  await redis.flushdb()
  const stores = await Promise.all(['ndxp-a', 'ndxp.b_2'].map((prefix) => openRedisTransactionStore({
    redis, keys: new RedisKeys(prefix), maxTransactions: 100, rollupRetention: { minuteMs: 1, hourMs: 1 },
  })))
  t.teardown(async () => { for (const store of stores) await store.close() })
  const [a, b] = stores as [TransactionStore, TransactionStore]
  await a.append(syntheticRecords(300, T0, DAY_MS, 3))
  await new Promise((resolve) => setTimeout(resolve, 5))
  await a.append(syntheticRecords(10, T0 + 2 * DAY_MS, HOUR_MS, 4)) // trims, and deletes the first rollups
  await b.append([makeRecord()])
  await a.query({ limit: 10, member: H49 })
  await stats(a, { from: T0, to: T0 + 3 * DAY_MS, interval: 'hour', groupBy: ['client'] })
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  t.ok(keys.length > 10, `${keys.length} keys`)
  t.strictSame(keys.filter((key) => !/^(ndxp-a|ndxp\.b_2):\{transactions\}:[^{}]+$/.test(key)), [], 'prefix, then the hash tag, and no other braces')
  t.equal(await b.count(), 1, 'prefixes keep deployments apart')
  t.equal(await a.count(), 100)
})

t.test('filtered pages examine at most scanLimit records, and their cursors continue where the scan stopped', async (t) => {
  const store = await open(t, { scanLimit: 50 })
  // 400 records, one in 60 from H29: most 50-record windows hold no match.
  const records = Array.from({ length: 400 }, (_, i) => makeRecord({ requestInTs: T0 + i, client: i % 60 === 7 ? DVCTINH_H29 : undefined }))
  await store.append(records)
  const want = records.filter((r) => r.clientMemberCode === '000.00.00.H29').reverse().map((r) => r.id)
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await store.query({ client: DVCTINH_H29, limit: 3, ...(cursor === undefined ? {} : { cursor }) })
    t.ok(page.items.length <= 3)
    seen.push(...page.items.map((r) => r.id))
    cursor = page.nextCursor ?? undefined
    pages++
  } while (cursor !== undefined && pages < 100)
  t.strictSame(seen, want, 'every match once, newest first')
  t.ok(pages >= 8, `${pages} pages: the 400 records took at least 8 scans of 50`)
  t.equal((await store.query({ limit: 120 })).items.length, 120, 'an unfiltered page is never cut short by the scan limit')
})

t.test('stats where retention deleted minute rows widen to the hour rows that remain, and say so', async (t) => {
  const store = await open(t, { rollupRetention: { minuteMs: 100 } })
  const records = syntheticRecords(600, T0, 3 * HOUR_MS, 17)
  await store.append(records)
  await new Promise((resolve) => setTimeout(resolve, 150))
  // Appends delete stale rollups, 100 per view and level each: 180 minutes take two.
  const fresh = [makeRecord({ requestInTs: T0 + 5 * HOUR_MS }), makeRecord({ requestInTs: T0 + 5 * HOUR_MS + 1 })]
  await store.append(fresh.slice(0, 1))
  await store.append(fresh.slice(1))
  const from = T0 + 10 * MINUTE_MS + 30_000
  const to = T0 + 2 * HOUR_MS + 20 * MINUTE_MS
  for (const groupBy of [[], ['client', 'outcome']] as const) {
    const s = await stats(store, { from, to, interval: 'total', groupBy: [...groupBy] })
    t.strictSame([s.from, s.to], [T0, T0 + 3 * HOUR_MS], 'widened to whole hours')
    sameStats(t, s, bruteForceStats(records, T0, T0 + 3 * HOUR_MS, 'total', [...groupBy]), `total by ${groupBy.join('+') || 'nothing'}`)
  }
  t.equal((await stats(store, { from, to, interval: 'minute' })).totals.count, 0, 'minute by minute has nothing left to show')
  t.equal((await stats(store, { from: T0 + 5 * HOUR_MS, to: T0 + 5 * HOUR_MS + MINUTE_MS, interval: 'minute' })).totals.count, 2, 'fresh minutes stay')
  const days = await stats(store, { from, to: T0 + 5 * HOUR_MS + MINUTE_MS, interval: 'day' })
  t.equal(days.totals.count, 602)
})

t.test('a large stats answer is read in several round trips and still adds up', async (t) => {
  const store = await open(t, { rollupRowsPerRead: 7 })
  const records = syntheticRecords(800, T0, 2 * DAY_MS, 41)
  await store.append(records)
  for (const [interval, groupBy] of [['minute', ['client', 'service']], ['total', []], ['hour', ['status']]] as const) {
    sameStats(t, await stats(store, { from: T0, to: T0 + 2 * DAY_MS, interval, groupBy: [...groupBy] }),
      bruteForceStats(records, T0, T0 + 2 * DAY_MS, interval, [...groupBy]), `${interval} by ${groupBy.join('+') || 'nothing'}`)
  }
})

t.test('opening refuses bad options and an unreachable Redis, saying so', async (t) => {
  const keys = new RedisKeys('refused')
  await expectError(t, openRedisTransactionStore({ redis: shared, keys, maxTransactions: 0 }), 'client.bad_request', /maxTransactions/)
  await expectError(t, openRedisTransactionStore({ redis: shared, keys, scanLimit: 1.5 }), 'client.bad_request', /scanLimit/)
  const { Redis } = await import('ioredis')
  const { redisOptions } = await import('../../common/redis.js')
  const never = new Redis('redis://127.0.0.1:1', redisOptions({ url: 'redis://127.0.0.1:1' }))
  t.teardown(() => { never.disconnect() })
  await expectError(t, openRedisTransactionStore({ redis: never, keys }), 'server.store_unavailable', /not connected/)
})

t.test('losing the meta hash (an operator DEL) neither breaks appends nor mixes up rollups', async (t) => {
  const store = await open(t)
  const keys = new RedisKeys(`t${prefixes - 1}`)
  const first = syntheticRecords(100, T0, HOUR_MS, 51)
  await store.append(first)
  await shared.del(keys.transactions('meta'))
  const second = syntheticRecords(100, T0 + HOUR_MS, HOUR_MS, 52).map((r) => ({ ...r, id: `${r.id}-b`, clientSubsystemCode: 'NEW' }))
  await store.append(second)
  t.equal(await store.count(), 200)
  sameStats(t, await stats(store, { from: T0, to: T0 + 2 * HOUR_MS, interval: 'hour', groupBy: ['client', 'service'] }),
    bruteForceStats([...first, ...second], T0, T0 + 2 * HOUR_MS, 'hour', ['client', 'service']), 'old and new tuples apart')
})

t.test('a replica that cached tuple ids before Redis lost its data credits each exchange to its own client after', async (t) => {
  const keys = new RedisKeys(`lost${prefixes++}`)
  const [a, b] = await Promise.all([connect(5), connect(5)])
  const [writer, reader] = await Promise.all([a, b].map((redis) => openRedisTransactionStore({ redis, keys })))
  t.teardown(async () => { await writer?.close(); await reader?.close() })
  const byClient = async (): Promise<Record<string, number>> => Object.fromEntries(
    (await stats(reader as TransactionStore, { from: T0, to: T0 + HOUR_MS, groupBy: ['client'] })).rows.map((row) => [row.client as string, row.count]))
  await writer?.append([makeRecord({ client: DVCTINH_H29 }), makeRecord({ client: DVCTINH_H29 }), makeRecord()])
  t.strictSame(await byClient(), { [DVCTINH_H29]: 2, [`VN/GOV/${H49}/DVCTINH`]: 1 }, 'the reader caches both clients\' tuple ids')

  await a.flushdb() // as Redis restarted without persistence: ids count from the start again
  await writer?.append([makeRecord(), makeRecord()]) // H49's tuple now takes the id H29's had
  t.strictSame(await byClient(), { [`VN/GOV/${H49}/DVCTINH`]: 2 }, 'not credited to the client whose id it was')
})
