// Clients misbehaving on the exchange path, over raw sockets: bodies that break their framing or
// arrive too slowly, clients that leave before the answer, methods and headers the hub refuses, and
// exchanges cut by a stop. Each gets a problem+json answer where one can still be given, the
// provider's circuit never pays for the client's fault, and every exchange is recorded.
import { connect, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { request } from 'undici'
import type { TransactionRecord } from '../../contracts/transaction.js'
import type { HubOptions } from '../../gateway/app.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { startHub } from '../helpers/hub.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'
const CLIENT = 'VN/GOV/000.00.00.H49/DVCTINH'

async function setup (t: Test, options: Partial<HubOptions> = {}) {
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url }, { circuit: { threshold: 3, cooldownMs: 60_000 }, ...options })
  const key = hub.keys.get('000.00.00.H49') as string
  const port = Number(new URL(hub.url).port)
  /** Opens a raw connection and sends `head` (the request line and headers, without the blank line). */
  const raw = async (head: string): Promise<{ socket: Socket, answer: Promise<string> }> => {
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let received = ''
    socket.on('data', (chunk: Buffer) => { received += chunk.toString() })
    socket.on('error', () => undefined)
    const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)))
    socket.write(`${head}\r\nHost: hub\r\nAuthorization: Bearer ${key}\r\nX-Road-Client: ${CLIENT}\r\n\r\n`)
    return { socket, answer }
  }
  const fault = async (rule: unknown): Promise<void> => {
    const response = await request(`${node.url}/_node/faults`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(rule) })
    t.equal(response.statusCode, 201)
    await response.body.dump()
  }
  const call = () => request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(3)}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': CLIENT } })
  return { node, hub, raw, fault, call }
}

async function recordsReach (records: TransactionRecord[], count: number): Promise<void> {
  for (let i = 0; i < 100 && records.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 50))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test("a client's broken body is a 400 for that client and never opens the provider's circuit", async (t) => {
  const { hub, raw, call } = await setup(t)
  for (let i = 0; i < 5; i++) {
    const { socket, answer } = await raw(`POST ${CITIZENS}/verify HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`)
    socket.write('5\r\n{"per\r\n')
    await sleep(50)
    socket.write('zz\r\nnot a chunk\r\n')
    const text = await answer
    t.match(text, /^HTTP\/1\.1 400 /, `request ${i + 1}: 400`)
    t.match(text, /content-type: application\/problem\+json/i)
    t.match(text, /x-road-error: client\.bad_request/i)
    t.match(text, /"type":"client.bad_request"/)
  }
  t.equal(hub.hub.breaker.state('population'), 'closed', 'five broken bodies, and the circuit stays closed')
  const next = await call()
  t.equal(next.statusCode, 200, 'another call goes through')
  await next.body.dump()
  await recordsReach(hub.records, 6)
  t.same(hub.records.slice(0, 5).map((r) => [r.statusCode, r.outcome, r.faultCode]), Array(5).fill([400, 'bad_request', 'client.bad_request']), 'each recorded with the answer it got')
})

t.test('a client that leaves before the answer is recorded as abandoned (499), not as the success it never saw', async (t) => {
  const { hub, raw, fault } = await setup(t)
  await fault({ id: 'slow', trigger: { type: 'always' }, fault: { kind: 'latency', distribution: { type: 'fixed', ms: 1500 } } })
  const { socket, answer } = await raw(`GET ${CITIZENS}/${testDataset.population.idAt(4)} HTTP/1.1`)
  await sleep(300)
  socket.destroy()
  t.equal(await answer, '', 'no answer reached the client')
  await recordsReach(hub.records, 1)
  t.match(hub.records[0], { statusCode: 499, outcome: 'abandoned', succeeded: false, faultCode: null })
  await sleep(1500)
  t.equal(hub.records.length, 1, 'the provider answering later adds nothing')
  t.equal(hub.hub.breaker.state('population'), 'closed')
})

t.test('a body that stops arriving gets a 408 problem at the request timeout, and is recorded', async (t) => {
  const { hub, raw } = await setup(t, { requestTimeoutMs: 1000 })
  const started = performance.now()
  const { socket, answer } = await raw(`POST ${CITIZENS}/verify HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100`)
  socket.write('{"personalId":')
  const text = await answer
  const seconds = (performance.now() - started) / 1000
  t.match(text, /^HTTP\/1\.1 408 /)
  t.match(text, /"type":"client.request_timeout"/)
  t.match(text, /x-road-error: client\.request_timeout/i)
  t.ok(seconds >= 0.9 && seconds < 3.5, `answered after ${seconds.toFixed(2)} s (timeout 1 s, checked each second)`)
  await recordsReach(hub.records, 1)
  t.match(hub.records[0], { statusCode: 408, outcome: 'bad_request', faultCode: 'client.request_timeout' })
  t.equal(hub.hub.breaker.state('population'), 'closed')
})

t.test('a method the hub does not relay gets 405 with Allow, as an exchange: X-Road headers and a record', async (t) => {
  const { hub } = await setup(t)
  for (const method of ['PROPFIND', 'TRACE', 'MKCOL']) {
    const response = await request(`${hub.url}${CITIZENS}/${testDataset.population.idAt(3)}`, { method })
    t.equal(response.statusCode, 405, method)
    t.equal(response.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
    t.equal(response.headers['x-road-error'], 'client.method_not_allowed')
    t.match(response.headers['x-road-id'], /^[0-9a-f-]{36}$/)
    t.match(await response.body.json(), { type: 'client.method_not_allowed', detail: new RegExp(`not ${method}`) })
  }
  await recordsReach(hub.records, 3)
  t.same(hub.records.map((r) => [r.restMethod, r.statusCode, r.faultCode]), [['PROPFIND', 405, 'client.method_not_allowed'], ['TRACE', 405, 'client.method_not_allowed'], ['MKCOL', 405, 'client.method_not_allowed']])
  const management = await request(`${hub.url}/v1/nosuch`, { method: 'PROPFIND' })
  t.equal(management.statusCode, 404, 'outside /r1/ the 404 stays')
  await management.body.dump()
})

t.test('a request refused before it is one (a broken request line, headers too large or too slow) is answered and recorded', async (t) => {
  const { hub, raw, call } = await setup(t, { requestTimeoutMs: 1000 })
  const port = Number(new URL(hub.url).port)
  /**
   * Writes each chunk on one new connection, the next once something has come back (not pipelined);
   * the answer is everything received until the hub closes the connection.
   */
  const send = async (...writes: string[]): Promise<string> => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let next = 0
    const write = (): void => { if (next < writes.length) socket.write(Buffer.from(writes[next++] as string, 'latin1')) }
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      write()
    })
    socket.on('error', () => undefined)
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)))
    write()
    return await closed
  }
  const ok = await call()
  await ok.body.dump()
  const answers = await Promise.all([
    send('NOT HTTP AT ALL\r\n\r\n'),
    // The first bytes of a TLS handshake: a client that took the hub for https.
    send('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
    raw(`GET ${CITIZENS}/${testDataset.population.idAt(3)} HTTP/1.1\r\nX-Padding: ${'x'.repeat(20_000)}`).then(async ({ answer }) => await answer),
    // Headers that never end: the whole-request deadline (1 s here) answers.
    send(`GET ${CITIZENS}/${testDataset.population.idAt(3)} HTTP/1.1\r\nHost: hub\r\n`),
    // A good exchange, then a broken request on the same keep-alive connection.
    send(`GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n`, 'BROKEN\r\n\r\n'),
  ])
  const expected = [[400, 'client.bad_request'], [400, 'client.bad_request'], [431, 'client.headers_too_large'], [408, 'client.request_timeout'], [400, 'client.bad_request']] as const
  const ids: string[] = []
  answers.forEach((answer, i) => {
    const [status, code] = expected[i] as (typeof expected)[number]
    const last = answer.slice([...answer.matchAll(/HTTP\/1\.1 \d{3} /g)].at(-1)?.index ?? 0)
    t.match(last, new RegExp(`^HTTP/1\\.1 ${status} `), `answer ${i}: ${status}`)
    t.match(last, new RegExp(`\r\nx-road-error: ${code.replace('.', '\\.')}\r\n`, 'i'))
    const id = /\r\nx-road-id: ([0-9a-f-]{36})\r\n/i.exec(last)?.[1] ?? ''
    t.match(last, `"transactionId":"${id}"`, 'the problem names the transaction')
    ids.push(id)
  })
  await recordsReach(hub.records, 1 + expected.length)
  t.equal(hub.records.length, 1 + expected.length, 'one record per answer: the exchange before, then each refusal')
  for (const [i, id] of ids.entries()) {
    const record = hub.records.find((r) => r.id === id)
    const [status, code] = expected[i] as (typeof expected)[number]
    t.match(record, { statusCode: status, faultCode: code, outcome: 'bad_request', succeeded: false, restMethod: '', clientMemberCode: null, serviceCode: null, providerNodeId: null }, `record ${i}`)
  }
  await hub.hub.writer.flush()
  t.match(await hub.transactions.get(ids[0] as string), { id: ids[0], statusCode: 400 }, 'and in the store')
})

t.test('a stop cuts exchanges still waiting at the drain deadline, records them as abandoned, and does not wait for the provider', async (t) => {
  const { hub, call, fault } = await setup(t, { drainDeadlineMs: 300 })
  await fault({ id: 'slow', trigger: { type: 'always' }, fault: { kind: 'latency', distribution: { type: 'fixed', ms: 5000 } } })
  const calls = [call(), call(), call()].map(async (pending) => await pending.then((r) => r.statusCode, () => 'reset'))
  await sleep(300)
  const started = performance.now()
  await hub.hub.app.close()
  const seconds = (performance.now() - started) / 1000
  t.same(await Promise.all(calls), ['reset', 'reset', 'reset'], 'the clients got no answer')
  t.ok(seconds < 3, `closed in ${seconds.toFixed(2)} s, not after the provider's 5 s`)
  const stored = await hub.transactions.query({ limit: 10 })
  t.same(stored.items.map((r) => [r.statusCode, r.outcome]), [[499, 'abandoned'], [499, 'abandoned'], [499, 'abandoned']], 'each in the log')
})

t.test("a provider refusing a body early (its own size limit) never opens its circuit, whoever repeats it", async (t) => {
  const { hub, call } = await setup(t)
  const key = hub.keys.get('000.00.00.H49') as string
  const big = JSON.stringify({ personalId: testDataset.population.idAt(3), fullName: 'x'.repeat(2 * 1024 * 1024), dateOfBirth: '1990-01-01' })
  for (let i = 0; i < 5; i++) {
    const response = await request(`${hub.url}${CITIZENS}/verify`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'x-road-client': CLIENT, 'content-type': 'application/json' }, body: big })
    t.ok([413, 502].includes(response.statusCode), `refused (${response.statusCode})`)
    const body = await response.body.text()
    if (response.statusCode === 502) t.match(body, /still being sent/, 'and a 502 says why')
  }
  t.equal(hub.hub.breaker.state('population'), 'closed')
  const next = await call()
  t.equal(next.statusCode, 200)
  await next.body.dump()
})

t.test('an absolute-form request target (RFC 9112 §3.2.2) is the same call', async (t) => {
  const { hub, raw } = await setup(t)
  const { answer } = await raw(`GET http://hub.example${CITIZENS}/${testDataset.population.idAt(3)} HTTP/1.1\r\nConnection: close`)
  t.match(await answer, /^HTTP\/1\.1 200 /)
  await recordsReach(hub.records, 1)
  t.match(hub.records[0], { outcome: 'success', serviceCode: 'citizens', restPath: '/citizens/{personalId}' })
})

t.test("the nodes answer what Node's parser refuses as problem+json too", async (t) => {
  const { node } = await setup(t)
  const socket = connect(Number(new URL(node.url).port), '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  let received = ''
  socket.on('data', (chunk: Buffer) => { received += chunk.toString() })
  socket.on('error', () => undefined)
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.write('POST /citizens/verify HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"per\r\n')
  await sleep(50)
  socket.write('zz\r\nnot a chunk\r\n')
  await closed
  t.match(received, /^HTTP\/1\.1 400 /)
  t.match(received, /"type":"client.bad_request"/)
})
