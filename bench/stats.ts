// Benchmark of GET /v1/stats' store query, and of GET /v1/transactions' filtered pages: a SQLite log
// filled with 10,000,000 synthetic exchanges over 30 days against one holding 10 (the baseline of the
// same run); median of 20 runs per query shape.
// Usage: npm run build && node dist/bench/stats.js [--records 10000000] [--days 30] [--file x.db] [--keep]
import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Outcome, StatsQuery, TransactionQuery, TransactionRecord } from '../contracts/transaction.js'
import { uuidv7 } from '../gateway/exchange/ids.js'
import { COARSEST_LEVEL, segmentsFor, viewFor } from '../gateway/transactions/rollup.js'
import { openSqliteTransactionStore } from '../gateway/transactions/sqlite-store.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, type TransactionStore } from '../gateway/transactions/store.js'

const { values } = parseArgs({ options: {
  records: { type: 'string', default: '10000000' }, days: { type: 'string', default: '30' }, runs: { type: 'string', default: '20' },
  file: { type: 'string' }, keep: { type: 'boolean', default: false },
} })
const total = Number(values.records)
const days = Number(values.days)
const runs = Number(values.runs)
const file = values.file ?? join(mkdtempSync(join(tmpdir(), 'ndxp-bench-stats-')), 'transactions.db')
const START = Date.UTC(2025, 5, 1) // 2025-06-01, a Sunday
/** Records per append in the fill: one transaction each, so the log's indexes are written per batch. */
const BATCH = 20_000
const END = START + days * DAY_MS

// A seeded generator: the same federation and traffic on every machine.
let seed = 20250601
const random = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
/** Index drawn with probability ∝ 1/(rank+1): a few big consumers, a long tail. */
const zipf = (n: number): number => Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1))) - 1)

// 63 provinces, 20 ministries, 12 enterprises as consumers; 10 services on the four national nodes.
const clients: Array<[string, string, string]> = [
  ...Array.from({ length: 63 }, (_, i): [string, string, string] => ['GOV', `000.00.00.H${String(i + 1).padStart(2, '0')}`, 'DVCTINH']),
  ...Array.from({ length: 20 }, (_, i): [string, string, string] => ['GOV', `000.00.00.G${String(i + 30).padStart(2, '0')}`, 'QLHS']),
  ...Array.from({ length: 12 }, (_, i): [string, string, string] => ['COM', `01001${String(i).padStart(5, '0')}`, 'APP']),
]
const services = [
  ['000.00.00.G01', 'CSDLQGDC', 'citizens', 'population'], ['000.00.00.G01', 'CSDLQGDC', 'citizens-verify', 'population'],
  ['000.00.00.G01', 'CSDLQGDC', 'households', 'population'], ['000.00.00.G22', 'CSDLBH', 'cards', 'insurance'],
  ['000.00.00.G22', 'CSDLBH', 'contributions', 'insurance'], ['000.00.00.G12', 'HOTICH', 'births', 'civil-status'],
  ['000.00.00.G12', 'HOTICH', 'marriages', 'civil-status'], ['000.00.00.G12', 'HOTICH', 'deaths', 'civil-status'],
  ['000.00.00.G15', 'DATDAI', 'parcels', 'land'], ['000.00.00.G15', 'DATDAI', 'certificates', 'land'],
] as const
const answers: Array<[number, number, Outcome, boolean]> = [ // [weight ‰, status, outcome, forwarded]
  [957, 200, 'success', true], [15, 404, 'provider_error', true], [10, 429, 'rate_limited', false], [5, 504, 'timeout', true],
  [4, 502, 'unreachable', true], [3, 400, 'bad_request', false], [3, 403, 'denied', false], [2, 401, 'unauthenticated', false], [1, 503, 'circuit_open', false],
]
const noise = randomBytes(1 << 16)
const hashLike = (): string => { const at = Math.floor(random() * 65_000); return noise.subarray(at, at + 64).toString('base64') }

function syntheticRecord (requestInTs: number): TransactionRecord {
  const [memberClass, memberCode, subsystem] = clients[zipf(clients.length)] as [string, string, string]
  const [serviceMember, serviceSubsystem, serviceCode, node] = services[zipf(services.length)] as typeof services[number]
  let draw = random() * 1000
  const [, status, outcome, forwarded] = answers.find(([weight]) => (draw -= weight) < 0) ?? answers[0] as typeof answers[number]
  const anonymous = outcome === 'unauthenticated'
  const ms = outcome === 'timeout' ? 30_000 : !forwarded ? 1 + Math.floor(random() * 3) : Math.round(Math.exp(3.2 + random() * 1.5 + (random() < 0.02 ? 2 : 0)))
  const id = uuidv7(requestInTs)
  return {
    id, messageId: id, requestInTs, requestOutTs: forwarded ? requestInTs + 1 : null, responseInTs: forwarded ? requestInTs + ms - 1 : null,
    responseOutTs: requestInTs + ms, clientInstance: anonymous ? null : 'VN', clientMemberClass: anonymous ? null : memberClass,
    clientMemberCode: anonymous ? null : memberCode, clientSubsystemCode: anonymous ? null : subsystem, serviceInstance: 'VN',
    serviceMemberClass: 'GOV', serviceMemberCode: serviceMember, serviceSubsystemCode: serviceSubsystem, serviceCode,
    providerNodeId: forwarded ? node : null, restMethod: 'GET', restPath: `/${serviceCode}/{id}`, userIdHash: random() < 0.7 ? hashLike().slice(0, 22) : null,
    issue: random() < 0.3 ? `HS-2025-${String(Math.floor(random() * 1e6)).padStart(6, '0')}` : null, requestSize: 0,
    responseSize: forwarded ? 400 + Math.floor(random() * 2000) : 300, statusCode: status, succeeded: status < 400, outcome,
    faultCode: null, gatewayId: `hub-${1 + Math.floor(random() * 3)}`, requestHash: hashLike(), responseHash: forwarded ? hashLike() : null,
  }
}

/** Office hours in Vietnam (UTC+7) carry most traffic; weekends a fifth of a weekday. */
function minuteWeight (ts: number): number {
  const local = new Date(ts + 7 * HOUR_MS)
  const hour = local.getUTCHours()
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6
  return (hour >= 8 && hour < 17 ? 10 : hour >= 6 && hour < 22 ? 3 : 0.5) * (weekend ? 0.2 : 1)
}

async function fill (store: TransactionStore, count: number): Promise<void> {
  const minutes = days * 24 * 60
  const weights = Array.from({ length: minutes }, (_, m) => minuteWeight(START + m * MINUTE_MS))
  const scale = count / weights.reduce((a, b) => a + b, 0)
  let batch: TransactionRecord[] = []
  let written = 0
  let carried = 0
  const began = performance.now()
  for (let m = 0; m < minutes; m++) {
    carried += (weights[m] as number) * scale
    const n = m === minutes - 1 ? count - written - batch.length : Math.floor(carried)
    carried -= n
    const offsets = Array.from({ length: n }, () => Math.floor(random() * MINUTE_MS)).sort((a, b) => a - b)
    for (const offset of offsets) batch.push(syntheticRecord(START + m * MINUTE_MS + offset))
    if (batch.length >= BATCH || m === minutes - 1) {
      await store.append(batch)
      const before = written
      written += batch.length
      batch = []
      if (Math.floor(written / 500_000) > Math.floor(before / 500_000) || written === count) {
        const rate = written / ((performance.now() - began) / 1000)
        console.log(`  ${written.toLocaleString('en')} / ${count.toLocaleString('en')} written, ${Math.round(rate).toLocaleString('en')}/s, ~${Math.round((count - written) / rate)} s left`)
      }
    }
  }
}

const shapes: Array<[string, StatsQuery]> = [
  ['total over 30 days', { from: START, to: END, interval: 'total', groupBy: [] }],
  ['per hour by service, last 24 h', { from: END - DAY_MS, to: END, interval: 'hour', groupBy: ['service'] }],
  ['per hour by service, last 7 days', { from: END - 7 * DAY_MS, to: END, interval: 'hour', groupBy: ['service'] }],
  ['per minute by client+outcome, one weekday', { from: END - 5 * DAY_MS, to: END - 4 * DAY_MS, interval: 'minute', groupBy: ['client', 'outcome'] }],
]

// Pages of 100, newest first: the big consumers, the long tail, rare outcomes; filters that the log
// answers by walking the rollups' minutes, then the rows of those minutes.
const pages: Array<[string, TransactionQuery]> = [
  ['newest, no filter', { limit: 100 }],
  ['client: the biggest consumer', { client: 'VN/GOV/000.00.00.H01/DVCTINH', limit: 100 }],
  ['client: the smallest consumer', { client: 'VN/COM/0100100011/APP', limit: 100 }],
  ['member on either side: G22', { member: '000.00.00.G22', limit: 100 }],
  ['outcome: circuit_open (0.1%)', { outcome: 'circuit_open', limit: 100 }],
  ['failed, one weekday', { succeeded: false, from: END - 5 * DAY_MS, to: END - 4 * DAY_MS, limit: 100 }],
  ['smallest consumer, 504s', { client: 'VN/COM/0100100011/APP', status: 504, limit: 100 }],
]

async function time (store: TransactionStore, query: StatsQuery | TransactionQuery): Promise<{ median: number, rows: number }> {
  const run = async (): Promise<number> => 'interval' in query ? (await store.stats(query)).rows.length : (await store.query(query as TransactionQuery)).items.length
  let rows = 0
  for (let i = 0; i < 2; i++) rows = await run() // warm the page cache and statements
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const began = performance.now()
    await run()
    samples.push(performance.now() - began)
  }
  samples.sort((a, b) => a - b)
  return { median: ((samples[Math.floor((runs - 1) / 2)] as number) + (samples[Math.ceil((runs - 1) / 2)] as number)) / 2, rows }
}

function rollupRowsRead (filename: string, query: StatsQuery): number {
  const db = new Database(filename, { readonly: true })
  const count = db.prepare('SELECT count(*) FROM transaction_rollups WHERE view = ? AND level = ? AND start >= ? AND start < ?').pluck()
  const rows = segmentsFor(query.from as number, query.to as number, COARSEST_LEVEL[query.interval]).reduce((sum, s) => sum + (count.get(viewFor(query), s.level, s.from, s.to) as number), 0)
  db.close()
  return rows
}

const big = await openSqliteTransactionStore({ filename: file, cacheSizeMiB: 1024 })
const have = await big.count()
if (have < total) {
  if (have > 0) throw new Error(`${file} holds ${have} records, fewer than --records ${total}; use another --file`)
  console.log(`filling ${file} with ${total.toLocaleString('en')} transactions over ${days} days…`)
  await fill(big, total)
} else {
  console.log(`reusing ${file}: ${have.toLocaleString('en')} transactions`)
}
const baselineFile = join(dirname(file), 'baseline.db')
if (existsSync(baselineFile)) rmSync(baselineFile)
const small = await openSqliteTransactionStore({ filename: baselineFile })
await small.append(Array.from({ length: 10 }, (_, i) => syntheticRecord(END - 5 * DAY_MS + i * HOUR_MS)))

const stored = await big.count()
console.log(`\nstats, median of ${runs} runs (ms): ${stored.toLocaleString('en')} stored transactions against ${await small.count()}`)
console.log('query shape                                 | answer rows | rollup rows read | 10 stored | all stored |  ratio | < 50 ms')
for (const [name, query] of shapes) {
  const base = await time(small, query)
  const full = await time(big, query)
  const read = rollupRowsRead(file, query)
  console.log(`${name.padEnd(43)} | ${String(full.rows).padStart(11)} | ${String(read).padStart(16)} | ${base.median.toFixed(2).padStart(9)} | ${full.median.toFixed(2).padStart(10)} | ${(full.median / base.median).toFixed(1).padStart(6)} | ${full.median < 50 ? 'yes' : 'no'}`)
}

console.log(`\ntransaction pages, median of ${runs} runs (ms)`)
console.log('page                                        |       items | 10 stored | all stored |  ratio | < 50 ms')
for (const [name, query] of pages) {
  const base = await time(small, query)
  const full = await time(big, query)
  console.log(`${name.padEnd(43)} | ${String(full.rows).padStart(11)} | ${base.median.toFixed(2).padStart(9)} | ${full.median.toFixed(2).padStart(10)} | ${(full.median / base.median).toFixed(1).padStart(6)} | ${full.median < 50 ? 'yes' : 'no'}`)
}

// A per-minute answer is big whatever is stored: show that its cost follows the day's traffic, not
// the size of the log, by asking a store that holds only that day.
const [dayName, dayQuery] = shapes[shapes.length - 1] as [string, StatsQuery]
const dayFile = join(dirname(file), 'one-day.db')
if (existsSync(dayFile)) rmSync(dayFile)
const oneDay = await openSqliteTransactionStore({ filename: dayFile })
let cursor: string | undefined
do {
  const page = await big.query({ from: dayQuery.from, to: dayQuery.to, limit: 1000, ...(cursor === undefined ? {} : { cursor }) })
  await oneDay.append(page.items)
  cursor = page.nextCursor ?? undefined
} while (cursor !== undefined)
const dayOnly = await time(oneDay, dayQuery)
console.log(`${dayName}, on a store holding only that day (${(await oneDay.count()).toLocaleString('en')} transactions): ${dayOnly.median.toFixed(2)} ms`)
await oneDay.close()
const db = new Database(file, { readonly: true })
const levels = db.prepare('SELECT view, level, count(*) AS n FROM transaction_rollups GROUP BY view, level').all() as Array<{ view: number, level: number, n: number }>
console.log(`rollup rows stored: ${levels.map((l) => `${['by client', 'across clients'][l.view]} per ${['minute', 'hour', 'day'][l.level]} ${l.n.toLocaleString('en')}`).join(', ')}`)
db.close()
await small.close()
await big.close()
if (!values.keep && values.file === undefined) rmSync(dirname(file), { recursive: true, force: true })
