// The management routes over the transaction log, through app.inject: auth, filters, paging, stats,
// problem answers, read-your-writes through the writer, and the generated OpenAPI.
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import t, { type Test } from 'tap'
import { registerOpenApi } from '../../common/openapi.js'
import problemPlugin from '../../common/problem-plugin.js'
import { NdxpError } from '../../contracts/errors.js'
import type { StatsResult, TransactionPage } from '../../contracts/transaction.js'
import { transactionRoutes, type TransactionRoutesOptions } from '../../gateway/transactions/routes.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, type TransactionStore } from '../../gateway/transactions/store.js'
import { TransactionWriter } from '../../gateway/transactions/writer.js'
import { DVCTINH_H29, DVCTINH_H49, T0, makeRecord } from './transaction-store-contract.js'

const TOKEN = 'transactions-admin-token'
const NOW = T0 + 10 * MINUTE_MS
const auth = { authorization: `Bearer ${TOKEN}` }
const silent = { info: () => {}, warn: () => {}, error: () => {} }

async function build (t: Test, options: Partial<TransactionRoutesOptions> = {}): Promise<{ app: FastifyInstance, store: TransactionStore }> {
  const store = options.store ?? await openSqliteTransactionStore({ filename: ':memory:', clock: () => NOW })
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  await registerOpenApi(app, { title: 'test', description: 'transaction routes', version: '1.0.0' })
  await app.register(transactionRoutes, { store, adminToken: TOKEN, ...options })
  t.teardown(async () => { await app.close(); await store.close() })
  return { app, store }
}

const get = (app: FastifyInstance, url: string, headers: Record<string, string> = auth): Promise<LightMyRequestResponse> => app.inject({ method: 'GET', url, headers })

function isProblem (t: Test, response: LightMyRequestResponse, status: number, type: string, detail?: RegExp): void {
  t.equal(response.statusCode, status, `${status} ${type}`)
  t.match(response.headers['content-type'], /application\/problem\+json/)
  t.match(response.json(), { type, status, ...(detail === undefined ? {} : { detail }) })
}

t.test('every route demands the admin token', async (t) => {
  const { app, store } = await build(t)
  const record = makeRecord()
  await store.append([record])
  for (const url of ['/v1/transactions', `/v1/transactions/${record.id}`, '/v1/stats']) {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }] as Array<Record<string, string>>) {
      isProblem(t, await get(app, url, headers), 401, 'admin.unauthenticated')
    }
    t.equal((await get(app, url)).statusCode, 200, `${url} with the token`)
    // Before the querystring is looked at: a caller without the token learns nothing, not even what is valid.
    isProblem(t, await get(app, `${url}?groupBy=secret&limit=x&from=never`, {}), 401, 'admin.unauthenticated')
  }
})

t.test('GET /v1/transactions filters from the querystring and pages with nextCursor', async (t) => {
  const { app, store } = await build(t)
  const sent = Array.from({ length: 5 }, (_, i) => makeRecord({ requestInTs: T0 + i * 1000, client: i % 2 === 0 ? DVCTINH_H49 : DVCTINH_H29 }))
  sent.push(makeRecord({ requestInTs: T0 + 9000, statusCode: 504, succeeded: false, outcome: 'timeout' }))
  await store.append(sent)
  const ids = (response: LightMyRequestResponse): string[] => (response.json() as TransactionPage).items.map((r) => r.id)
  t.strictSame(ids(await get(app, `/v1/transactions?client=${encodeURIComponent(DVCTINH_H29)}`)), [sent[3]?.id, sent[1]?.id])
  t.strictSame(ids(await get(app, '/v1/transactions?succeeded=false')), [sent[5]?.id])
  t.strictSame(ids(await get(app, '/v1/transactions?status=504&outcome=timeout')), [sent[5]?.id])
  t.strictSame(ids(await get(app, `/v1/transactions?from=${new Date(T0 + 3000).toISOString()}&to=${T0 + 5000}`)), [sent[4]?.id, sent[3]?.id])
  const first = (await get(app, '/v1/transactions?limit=4')).json() as TransactionPage
  t.equal(first.items.length, 4)
  const rest = (await get(app, `/v1/transactions?limit=4&cursor=${first.nextCursor}`)).json() as TransactionPage
  t.strictSame([...first.items, ...rest.items].map((r) => r.id), [...sent].reverse().map((r) => r.id))
  t.equal(rest.nextCursor, null)
})

t.test('GET /v1/transactions refuses bad querystrings with problem answers', async (t) => {
  const { app } = await build(t)
  isProblem(t, await get(app, '/v1/transactions?limit=5000'), 400, 'client.bad_request', /limit/)
  isProblem(t, await get(app, '/v1/transactions?limit=0'), 400, 'client.bad_request')
  isProblem(t, await get(app, '/v1/transactions?sort=id'), 400, 'client.bad_request')
  isProblem(t, await get(app, '/v1/transactions?succeeded=maybe'), 400, 'client.bad_request')
  isProblem(t, await get(app, '/v1/transactions?from=yesterday'), 400, 'client.bad_request')
  isProblem(t, await get(app, '/v1/transactions?cursor=not-a-cursor'), 400, 'client.bad_request', /cursor/i)
  isProblem(t, await get(app, `/v1/transactions?client=${'x'.repeat(301)}`), 400, 'client.bad_request')
  isProblem(t, await get(app, `/v1/transactions?from=${T0 + 1000}&to=${T0}`), 400, 'client.bad_request', /is after to .*swap them/)
  for (const empty of ['from=', 'to=', 'from=&to=']) isProblem(t, await get(app, `/v1/transactions?${empty}`), 400, 'client.bad_request', /ISO 8601 date-time with an offset .* or a whole number of milliseconds/)
  for (const odd of ['from=-5', 'from=1e20', 'to=99999999999999999', 'to=9999999999999999']) isProblem(t, await get(app, `/v1/transactions?${odd}`), 400, 'client.bad_request', /ISO 8601/)
  isProblem(t, await get(app, '/v1/transactions?limit=1&limit=2'), 400, 'client.bad_request', /once; repeated: limit/)
  isProblem(t, await get(app, '/v1/stats?to=&interval=hour'), 400, 'client.bad_request', /ISO 8601/)
  const sqlish = await get(app, `/v1/transactions?client=${encodeURIComponent("' OR 1=1 --")}`)
  t.strictSame(sqlish.json(), { items: [], nextCursor: null })
})

t.test('GET /v1/transactions/{id} answers the record, or 404 client.not_found', async (t) => {
  const { app, store } = await build(t)
  const record = makeRecord({ issue: 'Hồ sơ đăng ký khai sinh' })
  await store.append([record])
  const found = await get(app, `/v1/transactions/${record.id}`)
  t.equal(found.statusCode, 200)
  t.strictSame(found.json(), record)
  isProblem(t, await get(app, '/v1/transactions/0198c0de-0000-7000-8000-999999999999'), 404, 'client.not_found', /GET \/v1\/transactions/)
  isProblem(t, await get(app, `/v1/transactions/${encodeURIComponent("' OR 1=1 --")}`), 404, 'client.not_found')
})

t.test('GET /v1/stats: defaults to the hour before now, groups, and refuses impossible ranges', async (t) => {
  const { app, store } = await build(t, { clock: () => NOW })
  await store.append([makeRecord({ requestInTs: NOW - 5 * MINUTE_MS }), makeRecord({ requestInTs: NOW - 2 * HOUR_MS }), makeRecord({ requestInTs: NOW - MINUTE_MS, client: DVCTINH_H29, statusCode: 429, succeeded: false, outcome: 'rate_limited' })])
  const recent = (await get(app, '/v1/stats')).json() as StatsResult
  t.match(recent, { from: NOW - HOUR_MS, to: NOW, interval: 'total', groupBy: [], totals: { count: 2, succeeded: 1, failed: 1 } })
  const grouped = (await get(app, `/v1/stats?from=${NOW - 3 * HOUR_MS}&groupBy=client,outcome&interval=hour`)).json() as StatsResult
  t.strictSame(grouped.groupBy, ['client', 'outcome'])
  t.strictSame(grouped.rows.map((r) => [r.start, r.client, r.outcome, r.count]), [
    [T0 - 2 * HOUR_MS, DVCTINH_H49, 'success', 1], [T0, DVCTINH_H49, 'success', 1], [T0, DVCTINH_H29, 'rate_limited', 1],
  ].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1]))))
  const iso = (await get(app, `/v1/stats?from=${new Date(NOW - HOUR_MS).toISOString()}&to=${new Date(NOW).toISOString()}&interval=minute`)).json() as StatsResult
  t.equal(iso.rows.length, 2)
  isProblem(t, await get(app, `/v1/stats?from=${NOW}&to=${NOW - 1}`), 400, 'client.bad_request', /after/)
  isProblem(t, await get(app, `/v1/stats?from=${NOW - 401 * DAY_MS}&to=${NOW}&interval=minute`), 400, 'client.bad_request', /interval=hour/)
  t.equal((await get(app, `/v1/stats?from=${NOW - 401 * DAY_MS}&to=${NOW}&interval=day`)).statusCode, 200)
  isProblem(t, await get(app, '/v1/stats?groupBy=tenant'), 400, 'client.bad_request', /groupBy/)
  isProblem(t, await get(app, '/v1/stats?interval=week'), 400, 'client.bad_request')
})

t.test('read-your-writes: the routes flush the writer before answering', async (t) => {
  const store = await openSqliteTransactionStore({ filename: ':memory:', clock: () => NOW })
  // Timers that never fire: only the routes' flush can move the record into the store.
  const writer = new TransactionWriter({ store, logger: silent, timers: { setTimeout: () => ({ unref: () => {} }), clearTimeout: () => {} } })
  const { app } = await build(t, { store, writer })
  const record = makeRecord({ requestInTs: NOW - MINUTE_MS })
  writer.record(record)
  t.equal(await store.count(), 0)
  t.equal((await get(app, `/v1/transactions/${record.id}`)).statusCode, 200)
  writer.record(makeRecord({ requestInTs: NOW - MINUTE_MS }))
  t.equal(((await get(app, '/v1/stats')).json() as StatsResult).totals.count, 2)
  t.equal(((await get(app, '/v1/transactions')).json() as TransactionPage).items.length, 2)
})

t.test('a writer that cannot flush does not stop reads; a closed store answers 503', async (t) => {
  const store = await openSqliteTransactionStore({ filename: ':memory:', clock: () => NOW })
  await store.append([makeRecord()])
  const writer = { flush: async () => { throw new NdxpError('server.store_unavailable', 'simulated') } }
  const { app } = await build(t, { store, writer })
  t.equal(((await get(app, '/v1/transactions')).json() as TransactionPage).items.length, 1)
  await store.close()
  isProblem(t, await get(app, '/v1/transactions'), 503, 'server.store_unavailable')
  isProblem(t, await get(app, '/v1/stats'), 503, 'server.store_unavailable')
})

t.test('the routes appear in the generated OpenAPI with their schemas', async (t) => {
  const { app } = await build(t)
  await app.ready()
  const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> }
  for (const path of ['/v1/transactions', '/v1/transactions/{id}', '/v1/stats']) t.ok(document.paths[path]?.get, path)
  t.ok(document.paths['/v1/stats']?.get?.parameters?.some((p) => p.name === 'groupBy'))
  t.ok(document.paths['/v1/transactions']?.get?.parameters?.some((p) => p.name === 'cursor'))
})
