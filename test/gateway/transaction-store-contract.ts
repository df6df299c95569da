// The behaviour every TransactionStore backend must show; each backend's test runs it in one line.
// Also exports the record fixtures and the brute-force stats the writer and route tests reuse.
import type { Test } from 'tap'
import {
  durationMs, statsResultSchema, transactionPageSchema,
  type StatsDimension, type StatsQuery, type StatsResult, type TransactionPage, type TransactionQuery, type TransactionRecord,
} from '../../contracts/transaction.js'
import { RELATIVE_ERROR } from '../../gateway/transactions/histogram.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, joinKnown, type TransactionStore, type TransactionStoreOptions } from '../../gateway/transactions/store.js'
import { expectError } from '../helpers/expect-error.js'

export { expectError }

export type MakeStore = (options?: TransactionStoreOptions) => Promise<TransactionStore>

/** 2025-07-01T08:00:00Z, a Tuesday morning in Hà Nội. */
export const T0 = Date.UTC(2025, 6, 1, 8, 0, 0)
export const H49 = '000.00.00.H49'
export const H29 = '000.00.00.H29'
export const G01 = '000.00.00.G01'
export const BHXH = '000.00.00.G22'
export const DVCTINH_H49 = `VN/GOV/${H49}/DVCTINH`
export const DVCTINH_H29 = `VN/GOV/${H29}/DVCTINH`
export const CITIZENS = `VN/GOV/${G01}/CSDLQGDC/citizens`
export const INSURANCE = `VN/GOV/${BHXH}/CSDLBH/cards`

let sequence = 0
const split = (id: string): Array<string | null> => {
  const parts = id === '' ? [] : id.split('/')
  return [0, 1, 2, 3, 4].map((i) => parts[i] ?? null)
}

export interface RecordSpec extends Partial<TransactionRecord> {
  /** Shorthands: a client id, a service id, and the duration the client saw. */
  client?: string
  service?: string
  ms?: number
}

/** A well-formed record; every field can be overridden. Ids sort by creation, like the hub's UUIDv7s. */
export function makeRecord (spec: RecordSpec = {}): TransactionRecord {
  const { client = DVCTINH_H49, service = CITIZENS, ms = 12, ...overrides } = spec
  const [ci, cc, cm, cs] = split(client)
  const [si, sc, sm, ss, sv] = split(service)
  const requestInTs = overrides.requestInTs ?? T0
  const id = `0198c0de-0000-7000-8000-${String(++sequence).padStart(12, '0')}`
  return {
    id, messageId: id, requestInTs, requestOutTs: requestInTs + 1, responseInTs: requestInTs + Math.max(1, ms - 1),
    responseOutTs: requestInTs + ms, clientInstance: ci ?? null, clientMemberClass: cc ?? null, clientMemberCode: cm ?? null,
    clientSubsystemCode: cs ?? null, serviceInstance: si ?? null, serviceMemberClass: sc ?? null, serviceMemberCode: sm ?? null,
    serviceSubsystemCode: ss ?? null, serviceCode: sv ?? null, providerNodeId: sm === BHXH ? 'insurance' : 'population',
    restMethod: 'GET', restPath: '/citizens/{personalId}', userIdHash: 'q1Zl0Xw4m9bD2kGfT7sYhA', issue: 'HS-2025-000123',
    requestSize: 0, responseSize: 512, statusCode: 200, succeeded: true, outcome: 'success', faultCode: null,
    gatewayId: 'hub-1', requestHash: 'cmVxdWVzdA==', responseHash: 'cmVzcG9uc2U=', ...overrides,
  }
}


const dimensionOf: Record<StatsDimension, (r: TransactionRecord) => string | number> = {
  client: (r) => joinKnown([r.clientInstance, r.clientMemberClass, r.clientMemberCode, r.clientSubsystemCode]),
  service: (r) => joinKnown([r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode, r.serviceSubsystemCode, r.serviceCode]),
  provider: (r) => r.providerNodeId ?? '',
  status: (r) => r.statusCode,
  outcome: (r) => r.outcome,
}

/** Stats computed the slow, obvious way from the records, percentiles exact (nearest rank). */
export function bruteForceStats (records: readonly TransactionRecord[], from: number, to: number, interval: StatsResult['interval'], groupBy: StatsDimension[]): StatsResult {
  const unit = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS, total: 0 }[interval]
  const groups = new Map<string, { start: number, values: Array<string | number>, ms: number[], succeeded: number }>()
  const order: StatsDimension[] = (['client', 'service', 'provider', 'status', 'outcome'] as const).filter((d) => groupBy.includes(d))
  for (const r of records) {
    if (r.requestInTs < from || r.requestInTs >= to) continue
    const start = unit === 0 ? from : Math.floor(r.requestInTs / unit) * unit
    const values = order.map((d) => dimensionOf[d](r))
    const key = JSON.stringify([start, ...values])
    const group = groups.get(key) ?? { start, values, ms: [], succeeded: 0 }
    group.ms.push(durationMs(r))
    if (r.succeeded) group.succeeded++
    groups.set(key, group)
  }
  const rank = (sorted: number[], p: number): number => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number
  const rows = [...groups.values()].map((g) => {
    const sorted = [...g.ms].sort((a, b) => a - b)
    const row: StatsResult['rows'][number] = {
      start: g.start, count: g.ms.length, succeeded: g.succeeded, failed: g.ms.length - g.succeeded,
      latencyMs: { p50: rank(sorted, 0.5), p90: rank(sorted, 0.9), p99: rank(sorted, 0.99), max: sorted.at(-1) as number, mean: g.ms.reduce((a, b) => a + b, 0) / g.ms.length },
    }
    order.forEach((d, i) => { (row as Record<string, unknown>)[d] = g.values[i] })
    return row
  })
  const sum = (f: (r: StatsResult['rows'][number]) => number): number => rows.reduce((a, r) => a + f(r), 0)
  return { from, to, interval, groupBy: order, totals: { count: sum((r) => r.count), succeeded: sum((r) => r.succeeded), failed: sum((r) => r.failed) }, rows }
}

/** Same groups and counts exactly, mean and max to the rounding, percentiles within the histogram's precision. */
export function sameStats (t: Test, actual: StatsResult, expected: StatsResult, label: string): void {
  t.ok(statsResultSchema.safeParse(actual).success, `${label}: the answer meets its schema`)
  const key = (r: StatsResult['rows'][number]): string => JSON.stringify([r.start, r.client, r.service, r.provider, r.status, r.outcome])
  const exact = (r: StatsResult['rows'][number]): unknown => [key(r), r.count, r.succeeded, r.failed, r.latencyMs.max]
  const byStart = (a: unknown, b: unknown): number => String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0
  t.strictSame(actual.totals, expected.totals, `${label}: totals`)
  t.strictSame(actual.rows.map(exact).sort(byStart), expected.rows.map(exact).sort(byStart), `${label}: groups, counts and maxima`)
  const byKey = new Map(actual.rows.map((r) => [key(r), r]))
  const wrong: string[] = []
  let worst = 0
  for (const want of expected.rows) {
    const got = byKey.get(key(want))
    if (got === undefined) continue
    if (Math.abs(got.latencyMs.mean - want.latencyMs.mean) > 0.001) wrong.push(`${key(want)} mean ${got.latencyMs.mean} vs ${want.latencyMs.mean}`)
    for (const p of ['p50', 'p90', 'p99'] as const) {
      const error = Math.abs(got.latencyMs[p] - want.latencyMs[p])
      if (want.latencyMs[p] > 0) worst = Math.max(worst, error / want.latencyMs[p])
      if (error > want.latencyMs[p] * RELATIVE_ERROR + 0.001) wrong.push(`${key(want)} ${p} ${got.latencyMs[p]} vs exact ${want.latencyMs[p]}`)
    }
  }
  t.strictSame(wrong.slice(0, 5), [], `${label}: means exact, percentiles within ${(RELATIVE_ERROR * 100).toFixed(1)}% (worst ${(worst * 100).toFixed(2)}%)`)
}

/** A seeded generator, so a failure can be replayed. */
export function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export const pageOk = (t: Test, page: unknown): void => { t.ok(transactionPageSchema.safeParse(page).success, 'the page meets its schema') }

const list = (store: TransactionStore, query: Partial<TransactionQuery> = {}): Promise<TransactionPage> => store.query({ limit: 100, ...query })
const stats = (store: TransactionStore, query: Partial<StatsQuery> = {}): Promise<StatsResult> => store.stats({ interval: 'total', groupBy: [], ...query })
const ids = (page: TransactionPage): string[] => page.items.map((r) => r.id)
const newestFirst = (records: TransactionRecord[]): string[] => [...records].reverse().map((r) => r.id)
const alignDown = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS
const alignUp = (ms: number): number => Math.ceil(ms / MINUTE_MS) * MINUTE_MS

/** Six exchanges that differ in every filtered field, one second apart, oldest first. */
function sixExchanges (): TransactionRecord[] {
  const own = `VN/GOV/${G01}/CSDLQGDC`
  return [
    makeRecord({ requestInTs: T0 }),
    makeRecord({ requestInTs: T0 + 1000, client: DVCTINH_H29, statusCode: 404, succeeded: false, outcome: 'provider_error' }),
    makeRecord({ requestInTs: T0 + 2000, service: INSURANCE }),
    makeRecord({ requestInTs: T0 + 3000, client: DVCTINH_H29, service: INSURANCE, providerNodeId: null, requestOutTs: null, responseInTs: null, statusCode: 429, succeeded: false, outcome: 'rate_limited', faultCode: 'client.rate_limited' }),
    makeRecord({ requestInTs: T0 + 4000, client: own, ms: 30_000, statusCode: 504, succeeded: false, outcome: 'timeout', faultCode: 'server.provider_timeout' }),
    makeRecord({ requestInTs: T0 + 5000, client: '', service: '', providerNodeId: null, requestOutTs: null, responseInTs: null, statusCode: 401, succeeded: false, outcome: 'unauthenticated', faultCode: 'client.unauthenticated', userIdHash: null }),
  ]
}

/** A seeded mix of clients, services, statuses and latencies over `spanMs` from `start`. */
export function syntheticRecords (count: number, start: number, spanMs: number, seed = 7): TransactionRecord[] {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const outcomes = [[200, true, 'success'], [200, true, 'success'], [200, true, 'success'], [404, false, 'provider_error'], [429, false, 'rate_limited'], [504, false, 'timeout']] as const
  const records: TransactionRecord[] = []
  for (let i = 0; i < count; i++) {
    const [statusCode, succeeded, outcome] = pick(outcomes)
    // Log-uniform from 0 to ~20 s, so every part of the histogram is exercised.
    const ms = Math.floor(Math.exp(random() * 10)) - 1
    records.push(makeRecord({ requestInTs: start + Math.floor(random() * spanMs), client: pick([DVCTINH_H49, DVCTINH_H29, '']), service: pick([CITIZENS, INSURANCE]), ms, statusCode, succeeded, outcome }))
  }
  return records.sort((a, b) => a.requestInTs - b.requestInTs)
}

export function transactionStoreContract (t: Test, name: string, makeStore: MakeStore): Promise<unknown> {
  const open = async (t: Test, options?: TransactionStoreOptions): Promise<TransactionStore> => {
    const store = await makeStore(options)
    t.teardown(() => store.close())
    return store
  }

  return t.test(`${name} satisfies the TransactionStore contract`, async (t) => {
    t.test('a new store is empty, and stats default to the hour before now', async (t) => {
      const store = await open(t, { clock: () => T0 + 30_000 })
      t.equal(await store.count(), 0)
      t.equal(await store.get('0198c0de-0000-7000-8000-000000000001'), undefined)
      t.strictSame(await list(store), { items: [], nextCursor: null })
      t.strictSame(await stats(store), { from: T0 - HOUR_MS, to: T0 + MINUTE_MS, interval: 'total', groupBy: [], totals: { count: 0, succeeded: 0, failed: 0 }, rows: [] })
      t.strictSame((await stats(store, { to: T0 })).from, T0 - HOUR_MS, 'only to: from is an hour before it')
      t.strictSame((await stats(store, { from: T0 - DAY_MS })).to, T0 + MINUTE_MS, 'only from: to is now')
    })

    t.test('append keeps every field verbatim, unknown parts and hostile text included', async (t) => {
      const store = await open(t)
      const [full, , , , , bare] = sixExchanges() as [TransactionRecord, unknown, unknown, unknown, unknown, TransactionRecord]
      const odd = makeRecord({ issue: "Hồ sơ số 12'); DROP TABLE transactions; -- 😀", restPath: '/citizens/{personalId}', requestSize: 2 ** 40, gatewayId: 'hub "b"' })
      await store.append([full, bare, odd])
      await store.append([])
      t.strictSame(await store.get(full.id), full)
      t.strictSame(await store.get(bare.id), bare)
      t.strictSame(await store.get(odd.id), odd)
      t.equal(await store.count(), 3)
      pageOk(t, await list(store))
    })

    t.test('append is idempotent by id: replays neither duplicate rows nor count twice', async (t) => {
      const store = await open(t)
      const [a, b, c] = [makeRecord({ requestInTs: T0 }), makeRecord({ requestInTs: T0 + 1000 }), makeRecord({ requestInTs: T0 + 2000, ms: 900 })]
      await store.append([a, b])
      await store.append([a, b])
      await store.append([b, c, c])
      await store.append([{ ...a, statusCode: 500, succeeded: false, outcome: 'error' }])
      t.equal(await store.count(), 3)
      t.strictSame(await store.get(a.id), a, 'the first version stays')
      t.strictSame(ids(await list(store)), [c.id, b.id, a.id])
      const s = await stats(store, { from: T0, to: T0 + HOUR_MS })
      t.strictSame(s.totals, { count: 3, succeeded: 3, failed: 0 })
      t.equal(s.rows[0]?.latencyMs.max, 900)
    })

    t.test('a batch holding one malformed record is refused whole', async (t) => {
      const store = await open(t)
      const good = makeRecord()
      const bad: unknown[] = [
        { ...good, id: '' }, { ...good, id: 'x'.repeat(101) }, { ...good, requestInTs: -1 }, { ...good, requestInTs: 1.5 },
        { ...good, requestInTs: Number.NaN }, { ...good, responseOutTs: null }, { ...good, outcome: 'great' }, { ...good, succeeded: 'yes' },
        { ...good, requestSize: -1 }, { ...good, clientInstance: 42 }, { ...good, statusCode: '200' }, { id: 'only-an-id' }, null, 'record', [],
      ]
      for (const record of bad) await expectError(t, store.append([makeRecord(), record as TransactionRecord]), 'client.bad_request', /index 1/)
      for (const records of [null, 'records', { length: 1 }]) await expectError(t, store.append(records as never), 'client.bad_request')
      t.equal(await store.count(), 0)
      t.strictSame(await stats(store, { from: 0, to: T0 + DAY_MS, interval: 'day' }), { from: 0, to: T0 + DAY_MS, interval: 'day', groupBy: [], totals: { count: 0, succeeded: 0, failed: 0 }, rows: [] })
    })

    t.test('query filters by every field, alone and together', async (t) => {
      const store = await open(t)
      const records = sixExchanges()
      const [r1, r2, r3, r4, r5, r6] = records as [TransactionRecord, TransactionRecord, TransactionRecord, TransactionRecord, TransactionRecord, TransactionRecord]
      await store.append(records)
      const cases: Array<[Partial<TransactionQuery>, TransactionRecord[]]> = [
        [{}, [r6, r5, r4, r3, r2, r1]],
        [{ client: DVCTINH_H49 }, [r3, r1]],
        [{ client: DVCTINH_H29 }, [r4, r2]],
        [{ client: '' }, [r6]],
        [{ service: CITIZENS }, [r5, r2, r1]],
        [{ service: INSURANCE }, [r4, r3]],
        [{ member: H49 }, [r3, r1]],
        [{ member: G01 }, [r5, r2, r1]],
        [{ member: BHXH }, [r4, r3]],
        [{ provider: 'population' }, [r5, r2, r1]],
        [{ provider: 'insurance' }, [r3]],
        [{ status: 200 }, [r3, r1]],
        [{ status: 504 }, [r5]],
        [{ outcome: 'rate_limited' }, [r4]],
        [{ outcome: 'success' }, [r3, r1]],
        [{ succeeded: true }, [r3, r1]],
        [{ succeeded: false }, [r6, r5, r4, r2]],
        [{ from: T0 + 1000 }, [r6, r5, r4, r3, r2]],
        [{ to: T0 + 2000 }, [r2, r1]],
        [{ from: T0 + 1000, to: T0 + 1001 }, [r2]],
        [{ from: T0 + 1000, to: T0 + 1000 }, []],
        [{ client: DVCTINH_H29, succeeded: false, outcome: 'rate_limited' }, [r4]],
        [{ member: G01, succeeded: false, from: T0 + 1500 }, [r5]],
        [{ member: G01, status: 200 }, [r1]],
        [{ service: INSURANCE, provider: 'population' }, []],
        [{ client: 'VN/GOV/000.00.00.X99/NOBODY' }, []],
        [{ member: '000.00.00.X99' }, []],
        [{ outcome: 'circuit_open' }, []],
      ]
      for (const [query, expected] of cases) t.strictSame(ids(await list(store, query)), expected.map((r) => r.id), JSON.stringify(query))
      t.strictSame((await list(store, { member: G01 })).items.filter((r) => r.id === r5.id).length, 1, 'a member on both sides appears once')
    })

    t.test('newest first; equal requestInTs by arrival, latest arrival first', async (t) => {
      const store = await open(t)
      const [a, b, c] = [makeRecord({ requestInTs: T0 }), makeRecord({ requestInTs: T0 }), makeRecord({ requestInTs: T0 })]
      const older = makeRecord({ requestInTs: T0 - 5000 })
      await store.append([a])
      await store.append([b, c])
      await store.append([older])
      t.strictSame(ids(await list(store)), [c.id, b.id, a.id, older.id])
    })

    t.test('pages cover every record exactly once, even while records arrive', async (t) => {
      const store = await open(t)
      // Three records per timestamp, so page boundaries fall between equal timestamps.
      const records = Array.from({ length: 60 }, (_, i) => makeRecord({ requestInTs: T0 + Math.floor(i / 3) * 1000, client: i % 2 === 0 ? DVCTINH_H49 : DVCTINH_H29 }))
      await store.append(records)
      for (const [filter, expected] of [[{}, records], [{ client: DVCTINH_H29 }, records.filter((_, i) => i % 2 === 1)], [{ member: H49 }, records.filter((_, i) => i % 2 === 0)]] as const) {
        const seen: string[] = []
        let cursor: string | undefined
        let pages = 0
        do {
          const page = await list(store, { ...filter, limit: 7, ...(cursor === undefined ? {} : { cursor }) })
          pageOk(t, page)
          seen.push(...ids(page))
          cursor = page.nextCursor ?? undefined
          pages++
          // Newer, same-second and older arrivals while paging must not disturb what the pages cover.
          await store.append([makeRecord({ requestInTs: T0 + 3_600_000 + pages }), makeRecord({ requestInTs: T0 + 10_000, client: DVCTINH_H29 })])
        } while (cursor !== undefined && pages < 100)
        const want = newestFirst([...expected])
        t.strictSame(seen.filter((id) => want.includes(id)), want, `${JSON.stringify(filter)}: every record once, in order`)
        t.equal(new Set(seen).size, seen.length, 'no duplicates')
      }
      const first = await list(store, { limit: 3, to: T0 + 2000 })
      const second = await list(store, { limit: 3, to: T0 + 2000, cursor: first.nextCursor as string })
      t.equal(second.items.length, 3)
      t.equal(second.nextCursor, null, 'a page that ends exactly at the last record has no cursor')
    })

    t.test('a malformed cursor is refused with client.bad_request saying so', async (t) => {
      const store = await open(t)
      await store.append([makeRecord()])
      const b64 = (text: string): string => Buffer.from(text).toString('base64url')
      const cursors = ['garbage', '', '=', '%%%', 'a'.repeat(200), b64('abc'), b64('c1.x.y'), b64('c1.1.2.3'), b64('c2.1.2'), b64(`c1.${'9'.repeat(17)}.1`), b64('c1.-1.2'), "' OR 1=1 --"]
      for (const cursor of cursors) await expectError(t, list(store, { cursor }), 'client.bad_request', /cursor/i)
      const page = await list(store, { limit: 1 })
      t.equal(page.nextCursor, null)
    })

    t.test('hostile queries are refused or match nothing, and leave the data intact', async (t) => {
      const store = await open(t)
      await store.append(sixExchanges())
      for (const limit of [0, -1, 1001, 1e9, 1.5, Number.NaN, 'five', null]) await expectError(t, list(store, { limit: limit as number }), 'client.bad_request', /limit/)
      const refused: unknown[] = [
        { limit: 10, drop: 'table' }, { limit: 10, client: 'x'.repeat(301) }, { limit: 10, member: 'x'.repeat(65) }, { limit: 10, status: 99 },
        { limit: 10, status: 'abc' }, { limit: 10, outcome: 'nope' }, { limit: 10, succeeded: 'yes' }, { limit: 10, from: -5 }, null, 'all',
      ]
      for (const query of refused) await expectError(t, store.query(query as TransactionQuery), 'client.bad_request')
      const sqlish = ["' OR '1'='1", "%' --", '"; DROP TABLE transactions; --', '*', '_', '\u0000']
      for (const value of sqlish) {
        for (const field of ['client', 'service', 'member', 'provider'] as const) t.strictSame(ids(await list(store, { [field]: value })), [], `${field} ${JSON.stringify(value)}`)
        t.equal((await stats(store, { from: T0, to: T0 + HOUR_MS, client: value })).totals.count, 0)
      }
      t.equal(await store.get("' OR 1=1 --"), undefined)
      await expectError(t, store.get('x'.repeat(1000)), 'client.bad_request')
      await expectError(t, store.get(42 as never), 'client.bad_request')
      t.equal(await store.count(), 6, 'nothing was dropped')
      t.equal((await list(store)).items.length, 6)
    })

    t.test('stats: counts, mean, max and percentiles of a known distribution', async (t) => {
      const store = await open(t)
      // 1..1000 ms, every tenth a failure; exact p50 = 500, p90 = 900, p99 = 990.
      const records = Array.from({ length: 1000 }, (_, i) => makeRecord({ requestInTs: T0 + i * 10, ms: i + 1, ...(i % 10 === 9 ? { statusCode: 502, succeeded: false, outcome: 'unreachable' } : {}) }))
      await store.append(records)
      const s = await stats(store, { from: T0, to: T0 + HOUR_MS })
      t.strictSame(s.totals, { count: 1000, succeeded: 900, failed: 100 })
      const latency = s.rows[0]?.latencyMs
      t.match(latency, { max: 1000, mean: 500.5 })
      for (const [p, exact] of [['p50', 500], ['p90', 900], ['p99', 990]] as const) {
        t.ok(Math.abs((latency?.[p] ?? 0) - exact) <= exact * RELATIVE_ERROR, `${p} ${latency?.[p]} ≈ ${exact}`)
      }
      sameStats(t, s, bruteForceStats(records, T0, T0 + HOUR_MS, 'total', []), 'total')
      const one = await store.append([makeRecord({ requestInTs: T0 + 2 * HOUR_MS, ms: 0 })]).then(() => stats(store, { from: T0 + 2 * HOUR_MS, to: T0 + 3 * HOUR_MS }))
      t.match(one.rows[0]?.latencyMs, { p50: 0, p99: 0, max: 0, mean: 0 }, 'a 0 ms exchange')
    })

    t.test('stats group by each dimension and by combinations, at every interval', async (t) => {
      const store = await open(t)
      const records = syntheticRecords(1200, T0, 3 * HOUR_MS)
      await store.append(records.slice(0, 500))
      await store.append(records.slice(500))
      const groupings: StatsDimension[][] = [[], ['client'], ['service'], ['provider'], ['status'], ['outcome'], ['client', 'outcome'], ['service', 'status'], ['outcome', 'client', 'service', 'provider', 'status']]
      for (const interval of ['minute', 'hour', 'day', 'total'] as const) {
        for (const groupBy of groupings) {
          const s = await stats(store, { from: T0, to: T0 + 3 * HOUR_MS, interval, groupBy })
          t.strictSame(s.groupBy, (['client', 'service', 'provider', 'status', 'outcome'] as const).filter((d) => groupBy.includes(d)))
          sameStats(t, s, bruteForceStats(records, T0, T0 + 3 * HOUR_MS, interval, groupBy), `${interval} by ${groupBy.join('+') || 'nothing'}`)
        }
      }
      const byClient = await stats(store, { from: T0, to: T0 + 3 * HOUR_MS, groupBy: ['client'] })
      t.ok(byClient.rows.some((r) => r.client === ''), 'unidentified clients group under the empty string')
      const sorted = await stats(store, { from: T0, to: T0 + 3 * HOUR_MS, interval: 'hour', groupBy: ['status'] })
      t.strictSame(sorted.rows.map((r) => [r.start, r.status]), [...sorted.rows].map((r) => [r.start, r.status]).sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)), 'rows in start, then dimension order')
    })

    t.test('stats over ragged multi-day ranges match the rows, whichever rollups serve them', async (t) => {
      const store = await open(t)
      const day = Date.UTC(2025, 6, 1)
      const records = syntheticRecords(3000, day - 2 * HOUR_MS, 4 * DAY_MS, 11)
      for (let i = 0; i < records.length; i += 700) await store.append(records.slice(i, i + 700))
      const from = day + 10 * HOUR_MS + 17 * MINUTE_MS + 30_000
      const to = day + 2 * DAY_MS + 15 * HOUR_MS + 43 * MINUTE_MS + 10_000
      for (const interval of ['minute', 'hour', 'day', 'total'] as const) {
        for (const groupBy of [[], ['service', 'outcome']] as StatsDimension[][]) {
          const s = await stats(store, { from, to, interval, groupBy })
          t.strictSame([s.from, s.to], [alignDown(from), alignUp(to)], 'the range is widened to whole minutes')
          sameStats(t, s, bruteForceStats(records, alignDown(from), alignUp(to), interval, groupBy), `${interval} by ${groupBy.join('+') || 'nothing'}`)
        }
      }
      const days = await stats(store, { from: day, to: day + 3 * DAY_MS, interval: 'day' })
      t.strictSame(days.rows.map((r) => r.start), [day, day + DAY_MS, day + 2 * DAY_MS], 'days start at UTC midnight')
    })

    t.test('stats range edges: whole minutes, from inclusive, to exclusive', async (t) => {
      const store = await open(t)
      const at = (ms: number): TransactionRecord => makeRecord({ requestInTs: ms })
      await store.append([at(T0 - 1), at(T0), at(T0 + 59_999), at(T0 + 60_000)])
      const count = async (from: number, to: number): Promise<number> => (await stats(store, { from, to })).totals.count
      t.equal(await count(T0, T0 + 60_000), 2, 'one whole minute')
      t.equal(await count(T0 + 30_000, T0 + 30_001), 2, 'a part of a minute counts the whole minute')
      t.equal(await count(T0 - 1, T0), 1, 'the minute before')
      t.equal(await count(T0, T0), 0, 'an empty range')
      t.equal(await count(T0 - MINUTE_MS, T0 + 2 * MINUTE_MS), 4)
      t.strictSame(await stats(store, { from: T0, to: T0 }), { from: T0, to: T0, interval: 'total', groupBy: [], totals: { count: 0, succeeded: 0, failed: 0 }, rows: [] })
      const minutes = await stats(store, { from: T0 - MINUTE_MS, to: T0 + 2 * MINUTE_MS, interval: 'minute' })
      t.strictSame(minutes.rows.map((r) => [r.start, r.count]), [[T0 - MINUTE_MS, 1], [T0, 2], [T0 + MINUTE_MS, 1]])
      t.equal((await stats(store, { from: T0 - 10 * DAY_MS, to: T0 - 9 * DAY_MS })).rows.length, 0, 'a range with no data')
    })

    t.test('stats filters by client, service and member on either side', async (t) => {
      const store = await open(t)
      const records = sixExchanges()
      await store.append(records)
      const range = { from: T0, to: T0 + HOUR_MS }
      const pick = (f: (r: TransactionRecord) => boolean): TransactionRecord[] => records.filter(f)
      const cases: Array<[Partial<StatsQuery>, TransactionRecord[]]> = [
        [{ client: DVCTINH_H29 }, pick((r) => r.clientMemberCode === H29)],
        [{ service: INSURANCE }, pick((r) => r.serviceMemberCode === BHXH)],
        [{ member: G01 }, pick((r) => r.clientMemberCode === G01 || r.serviceMemberCode === G01)],
        [{ member: G01, client: DVCTINH_H29 }, pick((r) => r.clientMemberCode === H29 && r.serviceMemberCode === G01)],
        [{ client: 'VN/GOV/000.00.00.X99/NOBODY' }, []],
        [{ member: 'nobody' }, []],
        [{ service: '' }, pick((r) => r.serviceCode === null)],
      ]
      for (const [filter, expected] of cases) {
        // Grouped by client and by outcome: the store may serve the two from different rollups.
        for (const groupBy of [['client'], ['outcome']] as StatsDimension[][]) {
          sameStats(t, await stats(store, { ...range, ...filter, groupBy }), bruteForceStats(expected, range.from, range.to, 'total', groupBy), `${JSON.stringify(filter)} by ${groupBy[0]}`)
        }
      }
    })

    t.test('stats refuses what it cannot answer, saying what to do instead', async (t) => {
      const store = await open(t)
      await expectError(t, stats(store, { from: T0 + 1, to: T0 }), 'client.bad_request', /after/)
      await expectError(t, stats(store, { from: T0, to: T0 + 401 * DAY_MS, interval: 'minute' }), 'client.bad_request', /interval=hour/)
      t.equal((await stats(store, { from: T0, to: T0 + 400 * DAY_MS, interval: 'minute' })).rows.length, 0, '400 days minute by minute is allowed')
      t.equal((await stats(store, { from: T0, to: T0 + 401 * DAY_MS, interval: 'hour' })).rows.length, 0)
      t.equal((await stats(store, { from: 0, to: T0, interval: 'total' })).totals.count, 0, 'from the epoch')
      const refused: unknown[] = [
        { groupBy: ['tenant'] }, { groupBy: 'client' }, { groupBy: ["client'; --"] }, { interval: 'week' }, { drop: 1 }, { from: -5 },
        { from: 'yesterday' }, { to: Number.NaN }, { client: 'x'.repeat(301) }, { member: 'x'.repeat(65) },
      ]
      for (const query of refused) await expectError(t, stats(store, query as Partial<StatsQuery>), 'client.bad_request')
      await expectError(t, store.stats(null as never), 'client.bad_request')
      await expectError(t, stats(store, { from: Number.MAX_SAFE_INTEGER, to: 0 }), 'client.bad_request', /after/)
      await expectError(t, stats(store, { from: 0, to: Number.MAX_SAFE_INTEGER, interval: 'minute' }), 'client.bad_request', /interval=hour/)
      t.equal((await stats(store, { from: 0, to: Number.MAX_SAFE_INTEGER, interval: 'day' })).totals.count, 0, 'the whole representable range, day by day')
      t.strictSame((await stats(store, { from: T0, to: T0 + 1, groupBy: ['client', 'client'] })).groupBy, ['client'], 'duplicates count once')
    })

    t.test('retention keeps the newest rows while rollups keep counting', async (t) => {
      const store = await open(t, { maxTransactions: 10 })
      const records = Array.from({ length: 25 }, (_, i) => makeRecord({ requestInTs: T0 + i * 1000 }))
      await store.append(records.slice(0, 5))
      await store.append(records.slice(5, 12))
      await store.append(records.slice(12))
      t.equal(await store.count(), 10)
      t.strictSame(ids(await list(store)), newestFirst(records.slice(15)))
      t.equal(await store.get(records[0]?.id as string), undefined)
      t.equal((await stats(store, { from: T0, to: T0 + HOUR_MS })).totals.count, 25)
      const burst = Array.from({ length: 30 }, (_, i) => makeRecord({ requestInTs: T0 + HOUR_MS + i }))
      await store.append(burst)
      t.equal(await store.count(), 10, 'a batch larger than the cap is trimmed too')
      t.strictSame(ids(await list(store)), newestFirst(burst.slice(20)))
    })

    t.test('closing is idempotent; a closed store refuses everything', async (t) => {
      const store = await makeStore()
      await store.append([makeRecord()])
      await store.close()
      await store.close()
      await expectError(t, store.append([makeRecord()]), 'server.store_unavailable')
      await expectError(t, store.get('x'), 'server.store_unavailable')
      await expectError(t, list(store), 'server.store_unavailable')
      await expectError(t, stats(store), 'server.store_unavailable')
      await expectError(t, store.count(), 'server.store_unavailable')
    })
  })
}
