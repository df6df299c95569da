// Each fault kind as a real HTTP client sees it over loopback.
import t from 'tap'
import { Client, errors } from 'undici'
import { problemSchema } from '../../contracts/errors.js'
import type { FaultCounts, LatencyDistribution } from '../../contracts/faults.js'
import { createLatencySampler } from '../../lgsp-node/faults/latency.js'
import { createRandom } from '../../lgsp-node/faults/prng.js'
import { buildHost, citizenListSchema, citizenSchema, insuranceSchema, PERSON, type Host } from './faults-host.js'

const citizenPath = `/citizens/${PERSON}`

async function timed<T> (run: () => Promise<T>): Promise<{ result: T, ms: number }> {
  const started = performance.now()
  const result = await run()
  return { result, ms: performance.now() - started }
}

async function countsOf (host: Host): Promise<FaultCounts['counts']> {
  return (await host.admin('GET', '/_node/faults/counts')).json<FaultCounts>().counts
}

/** Rejects if `promise` takes longer than `ms`: the failure it guards against is "never". */
function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

t.test('latency: a fixed delay, then the normal answer', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'slow', scope: { service: 'citizens' }, fault: { kind: 'latency', distribution: { type: 'fixed', ms: 150 } } })
  const { result, ms } = await timed(() => host.get(citizenPath))
  t.ok(ms >= 150, `took ${ms.toFixed(1)} ms, at least the injected 150 ms`)
  t.equal(result.status, 200)
  t.equal(host.marker(result.headers), 'slow;latency')
  t.ok(citizenSchema.safeParse(JSON.parse(result.text)).success, 'the body is untouched')
})

t.test('latency: each distribution delays by at least its seeded sample', async (t) => {
  const distributions: LatencyDistribution[] = [
    { type: 'uniform', minMs: 20, maxMs: 60 },
    { type: 'lognormal', medianMs: 20, p99Ms: 120, capMs: 150 },
    { type: 'pareto', minMs: 15, alpha: 1.5, capMs: 150 },
  ]
  for (const distribution of distributions) {
    const host = await buildHost(t)
    await host.addRule({ id: distribution.type, seed: 7, fault: { kind: 'latency', distribution } })
    // The same seed replayed offline predicts the delays the node will inject.
    const expected = createLatencySampler(distribution, createRandom(7, 'latency'))
    for (let i = 0; i < 3; i++) {
      const injected = expected()
      const { result, ms } = await timed(() => host.get(citizenPath))
      t.equal(result.status, 200)
      t.ok(ms >= injected, `${distribution.type} #${i}: took ${ms.toFixed(1)} ms, injected ${injected} ms`)
    }
  }
})

t.test('error: the chosen status with a problem+json body and the catalogue code', async (t) => {
  const host = await buildHost(t)
  // The catalogue's code for the status where it has one (the type never contradicts the status),
  // else the class's general code; 429 and 503 say when to retry.
  const cases = [
    { status: 502, type: 'server.provider_unreachable' },
    { status: 503, type: 'server.service_down', retryAfter: '1' },
    { status: 504, type: 'server.provider_timeout' },
    { status: 507, type: 'server.internal' },
    { status: 429, type: 'client.rate_limited', retryAfter: '1' },
    { status: 404, type: 'client.not_found' },
    { status: 400, type: 'client.bad_request' },
    { status: 418, type: 'client.bad_request' },
  ]
  for (const { status, type, retryAfter } of cases) {
    await host.admin('DELETE', '/_node/faults')
    await host.addRule({ id: `e${status}`, fault: { kind: 'error', status } })
    const result = await host.get(citizenPath)
    t.equal(result.status, status)
    t.match(result.headers['content-type'], /^application\/problem\+json/)
    t.equal(host.marker(result.headers), `e${status};error`)
    const problem = problemSchema.parse(JSON.parse(result.text))
    t.equal(problem.type, type)
    t.equal(problem.status, status)
    t.equal(result.headers['retry-after'], retryAfter, `Retry-After on ${status}`)
    t.match(problem.detail, `e${status}`, 'the detail names the rule to remove')
  }
})

t.test('down: 503 service_down to everything in scope, other services unaffected', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'citizens-down', scope: { service: 'citizens' }, fault: { kind: 'down' } })
  for (const path of [citizenPath, '/citizens']) {
    const result = await host.get(path)
    t.equal(result.status, 503, path)
    t.equal(problemSchema.parse(JSON.parse(result.text)).type, 'server.service_down')
    t.equal(host.marker(result.headers), 'citizens-down;down')
  }
  const insurance = await host.get('/insurance/HN0123456789')
  t.equal(insurance.status, 200)
  t.ok(insuranceSchema.safeParse(JSON.parse(insurance.text)).success)
  t.equal(host.marker(insurance.headers), undefined)
})

t.test('hang: the client times out; the server still closes promptly with a hung request open', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'stuck', scope: { endpoint: 'GET /citizens/:personalId' }, fault: { kind: 'hang' } })

  const impatient = new Client(host.origin, { headersTimeout: 300, bodyTimeout: 300 })
  t.teardown(() => impatient.destroy())
  const error = await impatient.request({ method: 'GET', path: citizenPath }).then(() => undefined, (e: unknown) => e)
  t.type(error, errors.HeadersTimeoutError, 'the client gave up waiting for headers')

  // A second hung request is still open when the server closes.
  const patient = new Client(host.origin)
  t.teardown(() => patient.destroy())
  const pending = patient.request({ method: 'GET', path: citizenPath }).then(() => undefined, (e: unknown) => e)
  while (!(await countsOf(host)).some((c) => c.ruleId === 'stuck' && c.fired === 2)) await new Promise((resolve) => setTimeout(resolve, 10))

  await within(host.app.close(), 10_000, 'app.close() with a hung request')
  t.pass('the server closed')
  const abandoned = await pending
  t.type(abandoned, Error, 'the hung request ended with a socket error, not an answer')
})

t.test('reset: the client sees the connection reset', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'rst', scope: { service: 'citizens' }, fault: { kind: 'reset' } })
  const error = await host.get(citizenPath).then(() => undefined, (e: unknown) => e) as { code?: string } | undefined
  t.ok(error, 'the request failed')
  // An RST arrives as ECONNRESET; if it races the client's own read, undici reports the closed socket.
  t.ok(['ECONNRESET', 'UND_ERR_SOCKET'].includes(error?.code ?? ''), `code ${error?.code}`)
  t.same(await countsOf(host), [{ ruleId: 'rst', kind: 'reset', fired: 1 }])
  t.equal((await host.get('/insurance/X1')).status, 200, 'the node keeps serving after the reset')
})

t.test('truncate: full Content-Length announced, part of the body sent, then the socket closes', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'cut', fault: { kind: 'truncate', keepFraction: 0.4 } })
  const response = await host.client.request({ method: 'GET', path: '/citizens' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ndxp-fault'], 'cut;truncate', 'headers, marker included, arrive whole')
  const announced = Number(response.headers['content-length'])
  let received = 0
  const error = await (async () => {
    for await (const chunk of response.body) received += (chunk as Buffer).length
  })().then(() => undefined, (e: unknown) => e)
  // undici reports the close before the announced length as a socket error ("other side closed").
  t.type(error, errors.SocketError, 'reading the body ends in a premature close')
  t.ok(received < announced, `received ${received} of ${announced} bytes`)
  t.equal(received, Math.floor(announced * 0.4))
})

t.test('contract drift: the answer no longer parses with its schema, and drifts the same way for the same seed', async (t) => {
  const bodiesFor = async (): Promise<string[]> => {
    const host = await buildHost(t)
    await host.addRule({ id: 'drift', seed: 11, scope: { service: 'citizens' }, fault: { kind: 'contract-drift' } })
    const bodies: string[] = []
    for (let i = 0; i < 4; i++) {
      const result = await host.get(i % 2 === 0 ? citizenPath : '/citizens')
      t.equal(result.status, 200)
      t.equal(host.marker(result.headers), 'drift;contract-drift')
      const schema = i % 2 === 0 ? citizenSchema : citizenListSchema
      t.notOk(schema.safeParse(JSON.parse(result.text)).success, `answer ${i} breaks its schema`)
      bodies.push(result.text)
    }
    const insurance = await host.get('/insurance/X1')
    t.ok(insuranceSchema.safeParse(JSON.parse(insurance.text)).success, 'out of scope, the contract holds')
    return bodies
  }
  t.same(await bodiesFor(), await bodiesFor(), 'same seed, same drift')
})

t.test('rules compose: latencies add up before the outcome; a shadowed rule is not counted', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'slow', fault: { kind: 'latency', distribution: { type: 'fixed', ms: 60 } } })
  await host.addRule({ id: 'slower', fault: { kind: 'latency', distribution: { type: 'fixed', ms: 60 } } })
  await host.addRule({ id: 'fail', fault: { kind: 'error', status: 500 } })
  await host.addRule({ id: 'shadowed', fault: { kind: 'down' } })
  const { result, ms } = await timed(() => host.get(citizenPath))
  t.ok(ms >= 120, `took ${ms.toFixed(1)} ms`)
  t.equal(result.status, 500)
  t.equal(host.marker(result.headers), 'slow;latency, slower;latency, fail;error')
  t.same((await countsOf(host)).map((c) => c.ruleId), ['slow', 'slower', 'fail'])
})

t.test('closing the server ends a pending delay instead of waiting for it', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'glacial', fault: { kind: 'latency', distribution: { type: 'fixed', ms: 120_000 } } })
  const pending = host.get(citizenPath).then((r) => r.status, (e: unknown) => e)
  while ((await countsOf(host)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  await within(host.app.close(), 10_000, 'app.close() with a two-minute delay pending')
  t.pass('the server closed')
  t.ok(await pending, 'the delayed request ended one way or another')
})
