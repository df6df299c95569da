// The load client against a raw TCP server that answers badly on purpose: responses cut at every byte,
// doubled, chunked with extensions and trailers, bodiless, closing, garbage, oversized, reset, silent,
// or absent; each request ends with a response or a cause, and the connection recovers.
import { createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { loadCommand } from '../../cli/load-command.js'
import { runLoad } from '../../cli/load/engine.js'
import { errorCause } from '../../cli/load/exchange.js'
import { formatRequest, type Connection, type RawExchange } from '../../cli/load/raw-http-connection.js'
import { RawHttpPool } from '../../cli/load/raw-http.js'
import type { PlannedRequest } from '../../cli/load/types.js'
import { capturedIo } from './run-cli.js'
import { fixedStream } from './servers.js'

interface Answer { status: number, bodyBytes: number }

/** One request through the pool, resolving with its answer or its error. */
class Probe implements RawExchange {
  conn: Connection | null = null
  waiting = false
  waitNext: RawExchange | null = null
  waitPrev: RawExchange | null = null
  sentAt = -1
  readonly ended: Promise<Answer | Error>
  #resolve: (value: Answer | Error) => void = () => {}

  constructor (public request: PlannedRequest | null) {
    this.ended = new Promise((resolve) => { this.#resolve = resolve })
  }

  onSent (at: number): void { this.sentAt = at }
  onResponse (status: number, bodyBytes: number): void { this.#resolve({ status, bodyBytes }) }
  onError (err: Error): void { this.#resolve(err) }
}

function get (path: string, method = 'GET', body?: string): PlannedRequest {
  return { method, path, headers: { 'x-test': 'yes' }, label: 'raw', kind: 'raw', ...(body === undefined ? {} : { body }) }
}

function send (pool: RawHttpPool, request: PlannedRequest): Promise<Answer | Error> {
  const probe = new Probe(request)
  pool.dispatch(probe, performance.now())
  return probe.ended
}

const causeOf = (ended: Answer | Error): string => (ended instanceof Error ? errorCause(ended) : `status ${ended.status}`)

interface RawServer { readonly url: string, readonly connections: () => number, readonly requests: string[] }

/**
 * A TCP server on a free port: `answer` is called with each request's head (and body) as text and the
 * socket to answer on, however it likes. Closed, with its sockets, when the test ends.
 */
async function rawServer (t: Test, answer: (request: string, socket: Socket, index: number) => void): Promise<RawServer> {
  const sockets = new Set<Socket>()
  const requests: string[] = []
  let connections = 0
  const server: Server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let pending = ''
    socket.on('data', (chunk: Buffer) => {
      // latin1: one character per byte, so content-length counts characters here.
      pending += chunk.toString('latin1')
      for (;;) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0)
        if (pending.length < end + 4 + length) return
        const request = Buffer.from(pending.slice(0, end + 4 + length), 'latin1').toString('utf8')
        pending = pending.slice(end + 4 + length)
        requests.push(request)
        answer(request, socket, requests.length - 1)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections, requests }
}

/** A port nothing listens on: it was just free. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function pool (t: Test, url: string, connections = 1): RawHttpPool {
  const p = new RawHttpPool(url, { connections, connectTimeoutMs: 2_000, maxBackoffMs: 100 })
  t.teardown(() => p.destroy())
  return p
}

const ok = (body = 'ok', extra = ''): string => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`

t.test('a request is one write: method, path, host, headers, and a UTF-8 body with its byte length', async (t) => {
  const request: PlannedRequest = { method: 'POST', path: '/a?b=1', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{"name":"Nguyễn"}', label: 'l', kind: 'k' }
  t.equal(formatRequest(request, 'hub:8080'),
    'POST /a?b=1 HTTP/1.1\r\nhost: hub:8080\r\ncontent-type: application/json\r\nauthorization: Bearer k\r\ncontent-length: 19\r\n\r\n{"name":"Nguyễn"}')
  const server = await rawServer(t, (_request, socket) => socket.write(ok()))
  t.same(await send(pool(t, server.url), request), { status: 200, bodyBytes: 2 })
  t.match(server.requests[0], /^POST \/a\?b=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n.*content-length: 19\r\n\r\n\{"name":"Nguyễn"\}$/s)
})

t.test('a response written one byte at a time, chunked with extensions and trailers, reads whole', async (t) => {
  const response = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Pad: abc\r\n\r\n' +
    '4;ext=1\r\nabcd\r\n3 ; a="b;c"\r\nxyz\r\n0;end\r\nX-Trailer: t\r\n\r\n'
  const server = await rawServer(t, (_request, socket) => {
    socket.setNoDelay(true)
    void (async () => {
      for (let i = 0; i < response.length; i++) {
        socket.write(response[i] as string)
        await sleep(1)
      }
    })()
  })
  const p = pool(t, server.url)
  t.same(await send(p, get('/bytes')), { status: 200, bodyBytes: 7 })
  t.same(await send(p, get('/again')), { status: 200, bodyBytes: 7 }, 'and the connection is still in step')
  t.equal(server.connections(), 1, 'kept alive')
})

t.test('HEAD and 204 answers without a body keep the connection in step', async (t) => {
  const server = await rawServer(t, (request, socket) => {
    if (request.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n')
    else if (request.startsWith('DELETE')) socket.write('HTTP/1.1 204 No Content\r\n\r\n')
    else socket.write(ok('after'))
  })
  const p = pool(t, server.url)
  t.same(await send(p, get('/h', 'HEAD')), { status: 200, bodyBytes: 0 })
  t.same(await send(p, get('/d', 'DELETE')), { status: 204, bodyBytes: 0 })
  t.same(await send(p, get('/g')), { status: 200, bodyBytes: 5 })
  t.equal(server.connections(), 1)
})

t.test('two responses in one write: the first answers, the stray one closes the connection', async (t) => {
  const server = await rawServer(t, (_request, socket, index) => socket.write(index === 0 ? ok('one') + ok('two') : ok('three')))
  const p = pool(t, server.url)
  t.same(await send(p, get('/1')), { status: 200, bodyBytes: 3 })
  t.same(await send(p, get('/2')), { status: 200, bodyBytes: 5 }, 'the next request is not answered by the stray response')
  t.equal(server.connections(), 2, 'on a new connection')
})

t.test('connection: close is honoured and the next request reconnects', async (t) => {
  const server = await rawServer(t, (_request, socket) => socket.end(ok('bye', 'connection: close\r\n')))
  const p = pool(t, server.url)
  for (let i = 0; i < 3; i++) t.same(await send(p, get('/c')), { status: 200, bodyBytes: 3 })
  t.equal(server.connections(), 3)
})

t.test('a body delimited by the close is complete at the close', async (t) => {
  const server = await rawServer(t, (_request, socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end'))
  t.same(await send(pool(t, server.url), get('/eof')), { status: 200, bodyBytes: 13 })
})

t.test('garbage and a head over 64 KiB fail as other, on a connection that is then replaced', async (t) => {
  const server = await rawServer(t, (request, socket) => {
    if (request.startsWith('GET /garbage')) socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n')
    else if (request.startsWith('GET /huge')) socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`)
    else socket.write(ok())
  })
  const p = pool(t, server.url)
  const garbage = await send(p, get('/garbage'))
  t.equal(causeOf(garbage), 'other')
  t.match((garbage as Error).message, /status line/)
  t.equal(causeOf(await send(p, get('/fine'))), 'status 200')
  const huge = await send(p, get('/huge'))
  t.equal(causeOf(huge), 'other')
  t.match((huge as Error).message, /over 64 KiB/)
  t.equal(causeOf(await send(p, get('/fine'))), 'status 200')
  t.equal(server.connections(), 3, 'each bad answer cost its connection')
})

t.test('a server that resets or closes mid-body fails the request as reset', async (t) => {
  const server = await rawServer(t, (request, socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial')
    setTimeout(() => (request.startsWith('GET /rst') ? socket.resetAndDestroy() : socket.end()), 20)
  })
  const p = pool(t, server.url)
  const reset = await send(p, get('/rst'))
  t.equal(causeOf(reset), 'reset')
  t.equal((reset as { code?: string }).code, 'ECONNRESET')
  t.equal(causeOf(await send(p, get('/fin'))), 'reset', 'a clean close before the end of the body too')
})

t.test('a body of 32 MiB is counted as it streams, not kept', async (t) => {
  const size = 32 * 1024 * 1024
  const slab = Buffer.alloc(64 * 1024, 0x61)
  const server = await rawServer(t, (_request, socket) => {
    socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`)
    let left = size
    const pump = (): void => {
      while (left > 0) {
        left -= slab.length
        if (!socket.write(slab)) return void socket.once('drain', pump)
      }
    }
    pump()
  })
  const before = process.memoryUsage().arrayBuffers
  t.same(await send(pool(t, server.url), get('/big')), { status: 200, bodyBytes: size })
  const grew = process.memoryUsage().arrayBuffers - before
  t.ok(grew < 8 * 1024 * 1024, `buffers grew by ${(grew / 1048576).toFixed(1)} MiB while 32 MiB went by`)
})

t.test('requests beyond the connections wait in order, and a queued one can be aborted', async (t) => {
  const held: Socket[] = []
  const server = await rawServer(t, (_request, socket) => { held.push(socket) })
  const p = pool(t, server.url, 1)
  const first = new Probe(get('/first'))
  const second = new Probe(get('/second'))
  const third = new Probe(get('/third'))
  for (const probe of [first, second, third]) p.dispatch(probe, performance.now())
  while (held.length === 0) await sleep(5)
  t.ok(second.waiting && third.waiting, 'two wait for the one connection')
  p.abort(second, Object.assign(new Error('gave up'), { code: 'NDXP_LOAD_TIMEOUT' }))
  t.equal(causeOf(await second.ended), 'timeout')
  held[0]?.write(ok('1'))
  t.same(await first.ended, { status: 200, bodyBytes: 1 })
  while (held.length === 1) await sleep(5)
  t.match(server.requests[1], /^GET \/third/, 'the aborted one was never written')
  t.ok(third.sentAt >= first.sentAt && third.conn !== null, 'the third went out when the connection freed')
  held[0]?.write(ok('3'))
  t.same(await third.ended, { status: 200, bodyBytes: 1 })
})

t.test('through the engine: a silent server times out, a closed port is refused without spinning', async (t) => {
  const silent = await rawServer(t, () => {})
  const timedOut = await runLoad([fixedStream('silent')], {
    target: silent.url, model: { kind: 'closed', concurrency: 2 }, connections: 2, timeoutMs: 150, durationMs: 400,
  })
  t.ok(timedOut.totals.errors.timeout >= 4, `${timedOut.totals.errors.timeout} timeouts`)
  t.equal(timedOut.totals.errors.total, timedOut.totals.errors.timeout, 'nothing but timeouts')
  t.ok(silent.connections() >= 4, 'each timeout closed its connection and a new one took its place')

  const refused = await runLoad([fixedStream('down')], {
    target: `http://127.0.0.1:${await closedPort()}`, model: { kind: 'closed', concurrency: 4 }, connections: 4, timeoutMs: 1_000, durationMs: 500,
  })
  t.ok(refused.totals.errors.refused > 0, `${refused.totals.errors.refused} refused`)
  t.equal(refused.totals.errors.total, refused.totals.errors.refused, 'nothing but refusals')
  // Connection attempts back off (10, 20, 40 … ms): a handful of rounds of 4 failures, not thousands.
  t.ok(refused.totals.sent < 200, `${refused.totals.sent} requests in 500 ms against a closed port`)
})

t.test('https targets are refused with a way out, by the engine and by the command before anything is sent', async (t) => {
  await t.rejects(runLoad([fixedStream('tls')], { target: 'https://127.0.0.1:8443', model: { kind: 'closed', concurrency: 1 }, connections: 1, timeoutMs: 100, durationMs: 100 }),
    /plain HTTP\/1\.1 only.*http:\/\//)
  const io = capturedIo()
  t.equal(await loadCommand(['--target', 'https://127.0.0.1:8443', '--rate', '1', '--duration', '1s'], io), 2)
  t.match(io.stderr.join(''), /^ndxp load: the load generator sends plain HTTP\/1\.1 only and cannot drive 'https:\/\/127\.0\.0\.1:8443'/)
})
