// Benchmark of the per-exchange metrics update (HubMetrics.observeExchange), which runs on the request
// path once per exchange: the hub's bound series against the same three updates written the plain
// prom-client way (a label object per call, which prom-client turns into a key), measured in the same
// run. Alternating rounds of a mix of 16 label sets; medians of the rounds and of their ratios.
// Usage: npm run build && node dist/bench/exchange-metrics.js [--calls 1000000] [--rounds 7]
import { parseArgs } from 'node:util'
import client from 'prom-client'
import { durationMs, type TransactionRecord } from '../contracts/transaction.js'
import { createHubMetrics, EXCHANGE_DURATION_BUCKETS, HUB_TIME_BUCKETS } from '../gateway/metrics.js'
import { median } from './lib/processes.js'

const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '7' } } })
const calls = Number(values.calls)
const rounds = Math.max(1, Number(values.rounds))

const exchange = (i: number): TransactionRecord => ({
  id: `018f0000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  messageId: `m${i}`,
  requestInTs: 1_000,
  requestOutTs: 1_001,
  responseInTs: 1_004 + i,
  responseOutTs: 1_005 + i * 7,
  clientInstance: 'VN',
  clientMemberClass: 'GOV',
  clientMemberCode: `000.00.0${i % 4}.H29`,
  clientSubsystemCode: 'LGSP',
  serviceInstance: 'VN',
  serviceMemberClass: 'GOV',
  serviceMemberCode: '000.00.00.G22',
  serviceSubsystemCode: 'CSDLQG-DC',
  serviceCode: `service${i % 8}`,
  providerNodeId: 'population',
  restMethod: 'GET',
  restPath: '/citizens/{id}',
  userIdHash: null,
  issue: null,
  requestSize: 0,
  responseSize: 1024,
  statusCode: i % 2 === 0 ? 200 : 503,
  succeeded: i % 2 === 0,
  outcome: i % 2 === 0 ? 'success' : 'provider_error',
  faultCode: null,
  gatewayId: 'bench',
  requestHash: null,
  responseHash: null,
})
const exchanges = Array.from({ length: 16 }, (_, i) => exchange(i))

/** The same series, updated as prom-client's documentation shows: labels passed on every call. */
function plainPromClient (): (record: TransactionRecord, hubMs: number) => void {
  const registers = [new client.Registry()]
  const total = new client.Counter({ name: 'ndxp_exchanges_total', help: 'h', labelNames: ['client', 'service', 'outcome', 'status'], registers })
  const durations = new client.Histogram({ name: 'ndxp_exchange_duration_seconds', help: 'h', labelNames: ['service', 'outcome'], buckets: EXCHANGE_DURATION_BUCKETS, registers })
  const hubTimes = new client.Histogram({ name: 'ndxp_exchange_hub_seconds', help: 'h', buckets: HUB_TIME_BUCKETS, registers })
  return (record, hubMs) => {
    const service = `${record.serviceMemberCode ?? ''}/${record.serviceSubsystemCode ?? ''}/${record.serviceCode ?? ''}`
    total.inc({ client: `${record.clientMemberCode ?? ''}/${record.clientSubsystemCode ?? ''}`, service, outcome: record.outcome, status: record.statusCode })
    durations.observe({ service, outcome: record.outcome }, durationMs(record) / 1000)
    hubTimes.observe(hubMs / 1000)
  }
}

function hub (): (record: TransactionRecord, hubMs: number) => void {
  const metrics = createHubMetrics({ defaultMetrics: false })
  return (record, hubMs) => metrics.observeExchange(record, hubMs)
}

/** Nanoseconds per call, after a warm-up of a tenth as many calls. */
function nsPerCall (observe: (record: TransactionRecord, hubMs: number) => void): number {
  for (let i = 0; i < calls / 10; i++) observe(exchanges[i & 15] as TransactionRecord, 0.2)
  const started = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) observe(exchanges[i & 15] as TransactionRecord, 0.2)
  return Number(process.hrtime.bigint() - started) / calls
}

const plain: number[] = []
const bound: number[] = []
console.log('round   prom-client, labels per call (ns)   hub observeExchange (ns)   hub × prom-client')
for (let round = 0; round < rounds; round++) {
  plain.push(nsPerCall(plainPromClient()))
  bound.push(nsPerCall(hub()))
  console.log(`${String(round + 1).padEnd(7)} ${(plain[round] as number).toFixed(0).padStart(33)} ${(bound[round] as number).toFixed(0).padStart(26)} ${((bound[round] as number) / (plain[round] as number)).toFixed(3).padStart(19)}`)
}
const ratios = bound.map((b, i) => b / (plain[i] as number))
console.log(`median of ${rounds} rounds of ${calls} calls: prom-client ${median(plain).toFixed(0)} ns, observeExchange ${median(bound).toFixed(0)} ns per exchange; ratio ${median(ratios).toFixed(3)}`)
console.log('(one exchange through the hub costs tens of µs of CPU: the metrics update should stay a fraction of a percent of it)')
