// The forwarder in front of the hub, over real sockets: balancing spreads calls over replicas and
// steers around a dead one; the LGSP's identity headers replace whatever the caller claimed; bodies
// stream through; an unreachable upstream is a 502 problem, not a hang.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startForwardProxy } from '../../gateway/edge/forward-proxy.js'

interface Upstream { url: string, server: Server, seen: Array<{ url: string, headers: Record<string, unknown>, body: string }> }

async function upstream (t: Test, name: string): Promise<Upstream> {
  const seen: Upstream['seen'] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body })
      res.setHeader('x-served-by', name)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ name, echo: body }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }
}

t.test('balance: every replica gets a share; a dead replica is steered around', async (t) => {
  const a = await upstream(t, 'a')
  const b = await upstream(t, 'b')
  const proxy = await startForwardProxy({ upstreams: [a.url, b.url], name: 'test-balance' }, '127.0.0.1', 0)
  t.teardown(proxy.close)
  for (let i = 0; i < 40; i++) {
    const response = await request(`${proxy.url}/r1/x?i=${i}`)
    t.equal(response.statusCode, 200)
    await response.body.dump()
  }
  t.ok(a.seen.length >= 10 && b.seen.length >= 10, `both replicas served (${a.seen.length}/${b.seen.length})`)
  t.equal(a.seen[0]?.headers.via, '1.1 test-balance')

  await new Promise<void>((resolve) => { b.server.closeAllConnections(); b.server.close(() => resolve()) })
  const failed: string[] = []
  for (let i = 0; i < 300; i++) {
    // Bodies too: a replica that refused the connection read nothing of it.
    const response = i % 10 === 5 ? await request(`${proxy.url}/after`, { method: 'POST', body: `body ${i}` }) : await request(`${proxy.url}/after`)
    if (response.statusCode !== 200) failed.push(`${i}: ${response.statusCode}`)
    await response.body.dump()
  }
  t.same(failed, [], 'every call answered: one the dead replica refused is sent to the live one')
  t.ok(a.seen.some((s) => s.body === 'body 295'), 'with its body')

  // Back on its port: the probe finds it and it takes its share again.
  const port = Number(new URL(b.url).port)
  const back = createServer((req, res) => { res.setHeader('x-served-by', 'b-again'); res.end('{}') })
  await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { back.closeAllConnections(); back.close(() => resolve()) }))
  let servedByB = 0
  for (let i = 0; i < 100 && servedByB === 0; i++) {
    const response = await request(`${proxy.url}/again`)
    if (response.headers['x-served-by'] === 'b-again') servedByB++
    await response.body.dump()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(servedByB, 1, 'the returned replica is used again')
})

t.test('lgsp: its identity replaces what the caller claims; bodies stream through unchanged', async (t) => {
  const hub = await upstream(t, 'hub')
  const proxy = await startForwardProxy({
    upstreams: [hub.url], name: 'lgsp-test', setHeaders: { 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH', authorization: 'Bearer key-of-h49' },
    onlyUnder: { prefix: '/r1/', why: 'exchanges only' },
  }, '127.0.0.1', 0)
  t.teardown(proxy.close)
  const body = JSON.stringify({ note: 'Nguyễn Văn A — ưu tiên', n: 'x'.repeat(200_000) })
  const response = await request(`${proxy.url}/r1/VN/GOV/000.00.00.G15/HOTICH/births`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-road-client': 'VN/GOV/000.00.00.G01/SPOOF', authorization: 'Bearer stolen', connection: 'keep-alive, x-secret', 'x-road-userid': 'officer-7' },
  })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-served-by'], 'hub')
  const answer = await response.body.json() as { echo: string }
  t.equal(answer.echo, body, 'the body arrived whole')
  const seen = hub.seen[0]
  t.equal(seen?.headers['x-road-client'], 'VN/GOV/000.00.00.H49/DVCTINH', 'the caller cannot claim another client')
  t.equal(seen?.headers.authorization, 'Bearer key-of-h49')
  t.equal(seen?.headers['x-road-userid'], 'officer-7', 'other headers pass')
  t.equal(seen?.url, '/r1/VN/GOV/000.00.00.G15/HOTICH/births')

  for (const [method, path] of [['POST', '/v1/nodes/rogue/heartbeat'], ['GET', '/v1/registry/members'], ['DELETE', '/v1/transactions'], ['GET', '/r1'], ['GET', '/%2Fr1/x']]) {
    const refused = await request(`${proxy.url}${path}`, { method, ...(method === 'POST' ? { body: '{"baseUrl":"http://203.0.113.7"}' } : {}) })
    t.equal(refused.statusCode, 404, `${method} ${path} is not forwarded with the agency's key`)
    t.match(await refused.body.json(), { type: 'client.unknown_route', detail: /forwards only \/r1\/…: exchanges only/ })
  }
  t.equal(hub.seen.length, 1, 'nothing but the exchange reached the hub')
})

t.test('an unreachable upstream is a prompt 502 problem; malformed settings are refused', async (t) => {
  const gone = await upstream(t, 'gone')
  const url = gone.url
  await new Promise<void>((resolve) => gone.server.close(() => resolve()))
  const proxy = await startForwardProxy({ upstreams: [url], name: 'test-proxy' }, '127.0.0.1', 0)
  t.teardown(proxy.close)
  const response = await request(`${proxy.url}/r1/anything`)
  t.equal(response.statusCode, 502)
  t.equal(response.headers['content-type'], 'application/problem+json')
  const problem = await response.body.json() as { type: string, detail: string }
  t.equal(problem.type, 'server.provider_unreachable')
  t.match(problem.detail, /check that the hub replicas run/)
  await t.rejects(startForwardProxy({ upstreams: [], name: 'x' }, '127.0.0.1', 0), RangeError)
  await t.rejects(startForwardProxy({ upstreams: ['not a url'], name: 'x' }, '127.0.0.1', 0), TypeError)
})
