// Liveness, readiness (flipping to 503 when a check fails or hangs) and the Prometheus metrics of a hub.
import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import problemPlugin from '../../common/problem-plugin.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import { healthRoutes, registryReadiness, type ReadinessCheck } from '../../gateway/health.js'
import { createHubMetrics, type HubMetrics } from '../../gateway/metrics.js'
import { RegistryCache } from '../../gateway/registry-cache.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { request } from 'undici'
import { NdxpError } from '../../contracts/errors.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import type { TransactionStore } from '../../gateway/transactions/store.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { startHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'

async function build (t: Test, checks: ReadinessCheck[], metrics?: HubMetrics) {
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  await app.register(healthRoutes, { checks, timeoutMs: 100 })
  if (metrics !== undefined) await app.register(metrics.routes)
  t.teardown(() => app.close())
  return app
}

t.test('/healthz answers while the process runs, whatever the checks say', async (t) => {
  const app = await build(t, [{ name: 'transactions', check: async () => { throw new Error('down') } }])
  const response = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(response.statusCode, 200)
  t.strictSame(response.json(), { status: 'ok' })
})

t.test('/readyz follows the registry cache and the checks the hub passes', async (t) => {
  const store = await openSqliteRegistryStore({ filename: ':memory:' })
  const app = Fastify({ logger: false })
  const cache = new RegistryCache({ store, logger: app.log, pollMs: 3_600_000 })
  await app.close()
  const transactions = { fail: false }
  const ready = await build(t, [
    registryReadiness(cache),
    { name: 'transactions', check: async () => { if (transactions.fail) throw new Error('SQLITE_BUSY: the transaction log is locked') } },
  ])
  t.teardown(() => cache.stop())
  const readyz = async () => {
    const response = await ready.inject({ method: 'GET', url: '/readyz' })
    return { status: response.statusCode, type: response.headers['content-type'], body: response.json() }
  }

  const unloaded = await readyz()
  t.equal(unloaded.status, 503, 'not ready before the registry is loaded')
  t.match(unloaded.type, /^application\/problem\+json/)
  t.match(unloaded.body, { type: 'server.store_unavailable', status: 503, detail: /registry: the registry has not been loaded yet/ })

  await cache.start()
  t.strictSame(await readyz(), { status: 200, type: 'application/json; charset=utf-8', body: { status: 'ready', checks: ['registry', 'transactions'] } })

  transactions.fail = true
  const busy = await readyz()
  t.equal(busy.status, 503)
  t.match(busy.body.detail, /^Not ready: transactions: SQLITE_BUSY/)
  t.notMatch(busy.body.detail, /registry:/, 'only the failing check is named')
  transactions.fail = false
  t.equal((await readyz()).status, 200, 'and back')

  await store.close()
  await cache.refresh()
  const stale = await readyz()
  t.equal(stale.status, 503, 'a registry store that stops answering makes the hub unready')
  t.match(stale.body.detail, /registry: the registry store did not answer/)
})

t.test('a check that hangs or throws synchronously fails, without hanging the probe', async (t) => {
  const app = await build(t, [
    { name: 'redis', check: () => new Promise<void>(() => {}) },
    { name: 'sync', check: () => { throw new Error('thrown before any promise') } },
  ])
  const started = Date.now()
  const response = await app.inject({ method: 'GET', url: '/readyz' })
  t.ok(Date.now() - started < 2000)
  t.equal(response.statusCode, 503)
  t.match(response.json().detail, /redis: no answer within 100 ms; sync: thrown before any promise/)
})

const record = (patch: Partial<TransactionRecord>): TransactionRecord => ({
  id: '0197c2a0-0000-7000-8000-000000000000', messageId: 'm', requestInTs: 1_000, requestOutTs: 1_001, responseInTs: 1_010, responseOutTs: 1_012,
  clientInstance: 'VN', clientMemberClass: 'GOV', clientMemberCode: '000.00.00.H49', clientSubsystemCode: 'DVCTINH',
  serviceInstance: 'VN', serviceMemberClass: 'GOV', serviceMemberCode: '000.00.00.G01', serviceSubsystemCode: 'CSDLQGDC', serviceCode: 'citizens',
  providerNodeId: 'population', restMethod: 'GET', restPath: '/citizens/{personalId}', userIdHash: null, issue: null,
  requestSize: 0, responseSize: 512, statusCode: 200, succeeded: true, outcome: 'success', faultCode: null, gatewayId: 'hub-1',
  requestHash: null, responseHash: null, ...patch,
})

t.test('/metrics exposes exchanges, latency, rejections, circuits, the writer and the process', async (t) => {
  const metrics = createHubMetrics()
  const app = await build(t, [], metrics)
  metrics.observeExchange(record({}), 0.3)
  metrics.observeExchange(record({ responseOutTs: 1_300 }), 1)
  metrics.observeExchange(record({ statusCode: 404, succeeded: false, outcome: 'provider_error' }))
  metrics.observeExchange(record({
    clientMemberCode: null, clientSubsystemCode: null, serviceSubsystemCode: null, serviceCode: null,
    statusCode: 401, succeeded: false, outcome: 'unauthenticated', faultCode: 'client.unauthenticated',
  }))
  metrics.rateLimited('000.00.00.H49')
  metrics.rateLimited('000.00.00.H49')
  metrics.setCircuitState('population', 'open')
  metrics.setCircuitState('insurance', 'half-open')
  metrics.setCircuitState('insurance', 'closed')
  metrics.setWriterStats({ pending: 3, flushed: 120, failures: 1 })

  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = response.body
  const has = (line: string, why?: string) => t.ok(text.split('\n').includes(line), why === undefined ? line : `${line}: ${why}`)
  has('ndxp_exchanges_total{client="000.00.00.H49/DVCTINH",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success",status="200"} 2')
  has('ndxp_exchanges_total{client="000.00.00.H49/DVCTINH",service="000.00.00.G01/CSDLQGDC/citizens",outcome="provider_error",status="404"} 1')
  has('ndxp_exchanges_total{client="unknown/unknown",service="unknown",outcome="unauthenticated",status="401"} 1')
  has('ndxp_exchange_duration_seconds_bucket{le="0.001",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 0')
  has('ndxp_exchange_duration_seconds_bucket{le="0.025",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 1')
  has('ndxp_exchange_duration_seconds_bucket{le="0.5",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 2')
  has('ndxp_exchange_duration_seconds_bucket{le="60",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 2')
  has('ndxp_exchange_duration_seconds_count{service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 2')
  has('ndxp_exchange_duration_seconds_sum{service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"} 0.312')
  has('ndxp_exchange_hub_seconds_bucket{le="0.00025"} 0')
  has('ndxp_exchange_hub_seconds_bucket{le="0.0005"} 1')
  has('ndxp_exchange_hub_seconds_bucket{le="0.001"} 2', 'a bound is inclusive')
  has('ndxp_exchange_hub_seconds_count 2', 'only exchanges the exchange path measured')
  has('ndxp_rate_limit_rejections_total{member="000.00.00.H49"} 2')
  has('ndxp_circuit_state{node="population"} 2')
  has('ndxp_circuit_state{node="insurance"} 0')
  has('ndxp_transaction_writer_pending 3')
  has('ndxp_transaction_writer_flushed 120')
  has('ndxp_transaction_writer_failures 1')
  t.match(text, /^process_cpu_user_seconds_total \d/m, 'process metrics')
  t.match(text, /^nodejs_eventloop_lag_seconds /m)
})

t.test('a tracked writer is read at each scrape', async (t) => {
  const metrics = createHubMetrics({ defaultMetrics: false })
  const stats = { recorded: 10, pending: 4, flushed: 6, failures: 0, rejected: 0 }
  metrics.trackWriter(() => stats)
  t.match(await metrics.registry.metrics(), /^ndxp_transaction_writer_pending 4$/m)
  Object.assign(stats, { pending: 0, flushed: 10, failures: 2 })
  const text = await metrics.registry.metrics()
  t.match(text, /^ndxp_transaction_writer_pending 0$/m)
  t.match(text, /^ndxp_transaction_writer_flushed 10$/m)
  t.match(text, /^ndxp_transaction_writer_failures 2$/m)
})

t.test('two hubs in one process keep separate registries', async (t) => {
  const a = createHubMetrics()
  const b = createHubMetrics()
  a.observeExchange(record({}))
  t.match(await a.registry.metrics(), /ndxp_exchanges_total\{[^}]*\} 1/)
  t.notMatch(await b.registry.metrics(), /ndxp_exchanges_total\{/)
})

t.test('durations beyond the last bucket count only in +Inf; a registry reset clears the exchange series', async (t) => {
  const metrics = createHubMetrics({ defaultMetrics: false })
  metrics.observeExchange(record({ responseOutTs: 1_000 + 90_000 }))
  metrics.observeExchange(record({ responseOutTs: 1_000 + 60_000 }))
  const text = await metrics.registry.metrics()
  const line = (name: string, le: string): string => `ndxp_exchange_duration_seconds_${name}{${le}service="000.00.00.G01/CSDLQGDC/citizens",outcome="success"}`
  t.ok(text.includes(`${line('bucket', 'le="30",')} 0\n`))
  t.ok(text.includes(`${line('bucket', 'le="60",')} 1\n`), 'a bound is inclusive')
  t.ok(text.includes(`${line('bucket', 'le="+Inf",')} 2\n`))
  t.ok(text.includes(`${line('sum', '')} 150\n`))
  metrics.registry.resetMetrics()
  metrics.observeExchange(record({}))
  const after = await metrics.registry.metrics()
  t.ok(after.includes(`${line('count', '')} 1\n`), 'counting resumes from zero on the series already bound')
  t.ok(after.includes('ndxp_exchanges_total{client="000.00.00.H49/DVCTINH",service="000.00.00.G01/CSDLQGDC/citizens",outcome="success",status="200"} 1\n'))
})

t.test('each label set counts on its own series: any one label differing is another series', async (t) => {
  const metrics = createHubMetrics({ defaultMetrics: false })
  const variants: Array<Partial<TransactionRecord>> = [
    {},
    { clientMemberCode: '000.00.00.H26' },
    { clientSubsystemCode: 'OTHER' },
    { serviceMemberCode: '000.00.00.G02' },
    { serviceSubsystemCode: 'CSDLQGBH' },
    { serviceCode: 'households' },
    { statusCode: 404, outcome: 'provider_error', succeeded: false },
    { statusCode: 404, outcome: 'unknown_service', succeeded: false, faultCode: 'client.unknown_service' },
    { statusCode: 500, outcome: 'provider_error', succeeded: false },
  ]
  variants.forEach((variant, i) => { for (let n = 0; n <= i; n++) metrics.observeExchange(record(variant)) })
  const text = await metrics.registry.metrics()
  const counts = text.split('\n').filter((l) => l.startsWith('ndxp_exchanges_total{')).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1))).sort((a, b) => a - b)
  t.same(counts, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'nine series, each with its own count')
  t.ok(text.includes('ndxp_exchanges_total{client="000.00.00.H49/DVCTINH",service="unknown",outcome="unknown_service",status="404"} 8\n'), 'an unchecked service counts as unknown')
})

t.test('label sets are capped: service ids from refused URLs cannot grow memory without bound', async (t) => {
  const metrics = createHubMetrics({ maxSeries: 3, defaultMetrics: false })
  for (let i = 0; i < 50; i++) {
    metrics.observeExchange(record({ serviceCode: `probe${i}`, statusCode: 404, succeeded: false, outcome: 'unknown_service', clientMemberCode: null, clientSubsystemCode: null }))
  }
  const text = await metrics.registry.metrics()
  const series = text.split('\n').filter((l) => l.startsWith('ndxp_exchanges_total{'))
  t.equal(series.length, 4, 'three label sets, then one overflow series per outcome and status')
  t.ok(series.includes('ndxp_exchanges_total{client="other",service="other",outcome="unknown_service",status="404"} 47'))
})

t.test('/readyz of a real hub says so while its transaction log refuses writes, and recovers with it', async (t) => {
  const real = await openSqliteTransactionStore({ filename: ':memory:' })
  const writes = { fail: false }
  // The log still answers reads (the 'transactions' check passes): only appends fail, as on a full disk.
  const transactionStore: TransactionStore = {
    append: async (records) => { if (writes.fail) throw new NdxpError('server.store_unavailable', 'SQLITE_FULL: database or disk is full'); await real.append(records) },
    get: (id) => real.get(id),
    query: (query) => real.query(query),
    stats: (query) => real.stats(query),
    count: () => real.count(),
    close: () => real.close(),
  }
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { transactionStore, flushIntervalMs: 10 })
  const key = hub.keys.get('000.00.00.H49') as string
  const readyz = async (): Promise<{ status: number, detail?: string }> => {
    const response = await request(`${hub.url}/readyz`)
    const body = await response.body.json() as { detail?: string }
    return { status: response.statusCode, ...(body.detail === undefined ? {} : { detail: body.detail }) }
  }
  t.equal((await readyz()).status, 200)
  writes.fail = true
  const answer = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${testDataset.population.idAt(2)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
  t.equal(answer.statusCode, 200, 'exchanges go on')
  await answer.body.dump()
  await hub.hub.writer.flush().catch(() => undefined)
  const failing = await readyz()
  t.equal(failing.status, 503)
  t.match(failing.detail, /transaction writes: the last append failed \(SQLITE_FULL: database or disk is full\); records are kept and retried/)
  writes.fail = false
  await hub.hub.writer.flush()
  t.equal((await readyz()).status, 200, 'ready again once an append succeeds')
  t.equal(await real.count(), 1, 'and the record kept in memory was written')
})

t.test('a route neither the hub nor a node has is a 404 client.unknown_route pointing at /docs, and is not recorded', async (t) => {
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { flushIntervalMs: 10 })
  const targets = [
    ['GET', `${hub.url}/v2/transactions`], ['POST', `${hub.url}/nothing/here?x=1`], ['DELETE', `${hub.url}/v1/stats`],
    ['GET', `${hub.url}/%2e%2e/%2e%2e/etc/passwd`], ['GET', `${node.url}/no-such-route`],
  ] as const
  for (const [method, url] of targets) {
    const response = await request(url, { method })
    const body = await response.body.json() as { type?: string, status?: number, detail?: string }
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(body.type, 'client.unknown_route')
    t.match(body.detail, /see \/docs/, 'says where the routes are')
    t.notOk(String(body.detail).includes('?x=1'), 'the query is not echoed')
  }
  await hub.hub.writer.flush()
  t.equal(await hub.transactions.count(), 0, 'only exchanges under /r1/ are recorded')
})
