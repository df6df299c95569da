// Scoping of fault rules by service, endpoint, consumer and header, over real HTTP.
import t from 'tap'
import { buildHost, PERSON } from './faults-host.js'

const citizenPath = `/citizens/${PERSON}`
const CONSUMER = 'VN/GOV/000.00.00.H29/DVCTINH'

t.test('service: only routes whose config.service matches', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'ins', scope: { service: 'insurance' }, fault: { kind: 'error', status: 500 } })
  t.equal((await host.get('/insurance/HN1')).status, 500)
  t.equal((await host.get(citizenPath)).status, 200)
  t.equal((await host.get('/citizens')).status, 200)
  t.equal((await host.get('/healthz')).status, 200, 'a route without a service is out of a service scope')
})

t.test('endpoint: method and route pattern as registered, not the raw path', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'one', scope: { endpoint: 'GET /citizens/:personalId' }, fault: { kind: 'error', status: 500 } })
  t.equal((await host.get(citizenPath)).status, 500)
  t.equal((await host.get('/citizens/079099000123')).status, 500, 'any id under the pattern')
  t.equal((await host.get('/citizens')).status, 200, 'another endpoint of the same service')
  const head = await host.client.request({ method: 'HEAD', path: citizenPath })
  await head.body.dump()
  t.equal(head.statusCode, 200, 'HEAD is another method')
})

t.test('consumer: exact match on X-Road-Client', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'them', scope: { consumer: CONSUMER }, fault: { kind: 'error', status: 500 } })
  t.equal((await host.get(citizenPath, { 'x-road-client': CONSUMER })).status, 500)
  t.equal((await host.get(citizenPath, { 'x-road-client': 'VN/GOV/000.00.00.H29/OTHER' })).status, 200)
  t.equal((await host.get(citizenPath, { 'x-road-client': `${CONSUMER}/extra` })).status, 200, 'no prefix matching')
  t.equal((await host.get(citizenPath)).status, 200, 'no header, no match')
})

t.test('header: a named request header must equal the value; the name is case-insensitive', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'case', scope: { header: { name: 'X-Test-Case', value: 'slow-db' } }, fault: { kind: 'error', status: 500 } })
  t.equal((await host.get(citizenPath, { 'x-test-case': 'slow-db' })).status, 500)
  t.equal((await host.get(citizenPath, { 'x-test-case': 'SLOW-DB' })).status, 200, 'the value is exact')
  t.equal((await host.get(citizenPath)).status, 200)
})

t.test('all parts of a scope must match', async (t) => {
  const host = await buildHost(t)
  await host.addRule({
    id: 'narrow',
    scope: { service: 'citizens', endpoint: 'GET /citizens', consumer: CONSUMER, header: { name: 'x-run', value: '1' } },
    fault: { kind: 'error', status: 500 },
  })
  const all = { 'x-road-client': CONSUMER, 'x-run': '1' }
  t.equal((await host.get('/citizens', all)).status, 500)
  t.equal((await host.get('/citizens', { 'x-road-client': CONSUMER })).status, 200, 'header missing')
  t.equal((await host.get(citizenPath, all)).status, 200, 'other endpoint')
})

t.test('unscoped rules cover every service route, and spare routes of no service, unknown routes and the admin API', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'everything', fault: { kind: 'down' } })
  t.equal((await host.get(citizenPath)).status, 503)
  t.equal((await host.get('/insurance/HN1')).status, 503, 'every service')
  const probe = await host.get('/healthz')
  t.equal(probe.status, 200, 'a health probe belongs to no service: a broad rule must not fail it')
  t.equal(host.marker(probe.headers), undefined)
  const unknown = await host.get('/nowhere')
  t.equal(unknown.status, 404)
  t.equal(host.marker(unknown.headers), undefined)
  t.equal((await host.admin('DELETE', '/_node/faults/everything')).statusCode, 204)
  t.equal((await host.get(citizenPath)).status, 200)
})
