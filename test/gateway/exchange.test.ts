// The exchange path end to end over real sockets: consumer → hub → population node and back.
import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { citizenSchema } from '../../contracts/population.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { HUB_ADMIN_TOKEN, startHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'

const QUANG_NINH = '000.00.00.H49'
const CLIENT = `VN/GOV/${QUANG_NINH}/DVCTINH`
const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'

async function federation (t: Test) {
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url })
  const key = hub.keys.get(QUANG_NINH) as string
  const call = (path: string, init: { method?: string, headers?: Record<string, string>, body?: string } = {}) =>
    request(`${hub.url}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: { authorization: `Bearer ${key}`, 'x-road-client': CLIENT, ...init.headers }, body: init.body })
  return { node, hub, key, call }
}

t.test('a granted consumer reads a citizen through the hub, and the exchange is recorded', async (t) => {
  const { hub, call } = await federation(t)
  const id = testDataset.population.idAt(31_337)
  const response = await call(`${CITIZENS}/${id}`, { headers: { 'x-road-userid': 'VN001090012345', 'x-road-issue': `case for ${id}` } })
  t.equal(response.statusCode, 200)
  const citizen = citizenSchema.parse(await response.body.json())
  t.equal(citizen.personalId, id)
  t.equal(response.headers['x-road-client'], CLIENT)
  t.equal(response.headers['x-road-service'], 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens')
  t.match(response.headers['x-road-id'], /^[0-9a-f-]{36}$/)
  t.match(response.headers['x-road-request-hash'], /^[A-Za-z0-9+/]+=*$/)
  t.match(response.headers.ratelimit, /^"member";r=\d+;t=\d+$/)
  t.equal(response.headers['ratelimit-policy'], '"member";q=100;w=2')
  t.equal(hub.records.length, 1)
  const record = hub.records[0]
  t.match(record, { outcome: 'success', succeeded: true, statusCode: 200, restMethod: 'GET', restPath: '/citizens/{personalId}', clientMemberCode: QUANG_NINH, serviceCode: 'citizens', providerNodeId: 'population', faultCode: null })
  const serialized = JSON.stringify(record)
  t.notMatch(serialized, id, 'the personal ID appears nowhere in the record')
  t.notMatch(serialized, 'VN001090012345', 'the user id is hashed')
  t.ok((record?.responseSize ?? 0) > 500)
  t.ok((record?.requestOutTs ?? 0) >= (record?.requestInTs ?? 0) && (record?.responseOutTs ?? 0) >= (record?.responseInTs ?? 0))
})

t.test('X-Road-Id from the client is kept; POST bodies stream through', async (t) => {
  const { call } = await federation(t)
  const citizen = testDataset.citizenAt(99)
  const response = await call(`${CITIZENS}/verify`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-road-id': 'my-message-1' },
    body: JSON.stringify({ personalId: citizen.personalId, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth }),
  })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-road-id'], 'my-message-1')
  const answer = Buffer.from(await response.body.arrayBuffer())
  t.match(JSON.parse(answer.toString()), { match: true })
})

t.test('request and response hashes are X-Road\'s: SHA-512 of head and body, and of the answer', async (t) => {
  const { hub, call } = await federation(t)
  const citizen = testDataset.citizenAt(99)
  const body = JSON.stringify({ personalId: citizen.personalId, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth })
  const response = await call(`${CITIZENS}/verify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-road-id': 'hash-check-1' }, body })
  const answer = Buffer.from(await response.body.arrayBuffer())
  const sha512 = (data: string | Buffer): Buffer => createHash('sha512').update(data).digest()
  const head = `POST VN/GOV/000.00.00.G01/CSDLQGDC/citizens/citizens/verify\n${CLIENT}\nhash-check-1`
  const expected = createHash('sha512').update(sha512(head)).update(sha512(body)).digest('base64')
  t.equal(response.headers['x-road-request-hash'], expected, 'base64(SHA-512(SHA-512(head) + SHA-512(body)))')
  t.equal(hub.records.at(-1)?.requestHash, expected)
  t.equal(hub.records.at(-1)?.responseHash, sha512(answer).toString('base64'), 'base64(SHA-512(answer))')
})

t.test('the hub never trusts a claimed identity', async (t) => {
  const { hub, call } = await federation(t)
  const id = testDataset.population.idAt(5)
  const cases: Array<[Record<string, string>, number, string]> = [
    [{ authorization: '' }, 401, 'client.unauthenticated'],
    [{ authorization: 'Bearer ndxp_not-a-real-key' }, 401, 'client.unauthenticated'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, 401, 'client.unauthenticated'],
    [{ 'x-road-client': `VN/GOV/000.00.00.G01/CSDLQGDC` }, 403, 'client.identity_mismatch'],
    [{ 'x-road-client': `VN/COM/${QUANG_NINH}/DVCTINH` }, 403, 'client.identity_mismatch'],
    [{ 'x-road-client': `XX/GOV/${QUANG_NINH}/DVCTINH` }, 403, 'client.identity_mismatch'],
    [{ 'x-road-client': `VN/GOV/${QUANG_NINH}/NOSUCH` }, 403, 'client.identity_mismatch'],
    [{ 'x-road-client': `VN/GOV/${QUANG_NINH}` }, 400, 'client.bad_request'],
    [{ 'x-road-client': `VN/GOV/${QUANG_NINH}/DVC TINH` }, 400, 'client.bad_request'],
    [{ 'x-road-client': '' }, 400, 'client.bad_request'],
  ]
  for (const [headers, status, code] of cases) {
    const response = await call(`${CITIZENS}/${id}`, { headers })
    t.equal(response.statusCode, status, JSON.stringify(headers))
    t.equal(response.headers['x-road-error'], code)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    const problem = await response.body.json() as { type: string, detail: string, transactionId: string }
    t.equal(problem.type, code)
    t.ok(problem.detail.length > 10)
    t.match(problem.transactionId, /^[0-9a-f-]{36}$/)
  }
  t.equal(hub.records.length, cases.length, 'every denial is recorded too')
  t.ok(hub.records.every((r) => r.succeeded === false && r.faultCode !== null))
})

t.test('unknown services, unoffered endpoints and ungranted endpoints are refused', async (t) => {
  const { call } = await federation(t)
  const id = testDataset.population.idAt(5)
  const cases: Array<[string, string, number, string]> = [
    ['GET', '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/nosuch/x', 404, 'client.unknown_service'],
    ['GET', `${CITIZENS}/${id}/secret-dossier`, 404, 'client.unknown_service'],
    ['DELETE', `${CITIZENS}/${id}`, 404, 'client.unknown_service'],
    ['GET', `${CITIZENS}/${id}/household`, 403, 'client.access_denied'],
    ['POST', `${CITIZENS}/newborns`, 403, 'client.access_denied'],
    ['GET', '/r1/VN/GOV/000.00.13.G12/CSDLBH/insured/0112345678', 403, 'client.access_denied'],
    ['GET', '/r1/VN/GOV', 400, 'client.bad_request'],
    ['GET', '/r1/VN/GOV/%E0%A4%A/CSDLQGDC/citizens', 400, 'client.bad_request'],
    ['GET', `${CITIZENS}/../../admin`, 400, 'client.bad_request'],
    ['GET', `${CITIZENS}//x`, 400, 'client.bad_request'],
  ]
  for (const [method, path, status, code] of cases) {
    const response = await call(path, { method })
    t.equal(response.statusCode, status, `${method} ${path}`)
    t.equal(response.headers['x-road-error'], code, `${method} ${path}`)
    await response.body.dump()
  }
})

t.test('a provider error passes through unchanged, without X-Road-Error', async (t) => {
  const { hub, call } = await federation(t)
  const response = await call(`${CITIZENS}/099090012345`)
  t.equal(response.statusCode, 400)
  t.equal(response.headers['x-road-error'], undefined)
  const body = await response.body.json() as { type: string }
  t.equal(body.type, 'client.invalid_identifier', "the node's own problem body")
  t.match(hub.records.at(-1), { outcome: 'provider_error', faultCode: null, statusCode: 400 })
})

t.test('records, stats and metrics keep no personal number from a malformed call, and name the key owner, not a claimed client', async (t) => {
  const { hub, key, call } = await federation(t)
  const id = testDataset.population.idAt(201)
  // The subsystem left out: the personal ID lands where the service code belongs.
  const misplaced = await call(`/r1/VN/GOV/000.00.00.G01/citizens/${id}`)
  t.equal(misplaced.statusCode, 404)
  await misplaced.body.dump()
  const anonymous = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/citizens/${id}`)
  t.equal(anonymous.statusCode, 401)
  await anonymous.body.dump()
  const ownId = await call(`${CITIZENS}/${id}`, { headers: { 'x-road-id': `case-${id}` } })
  t.equal(ownId.headers['x-road-id'], `case-${id}`, 'the client gets its own X-Road-Id back as it sent it')
  await ownId.body.dump()
  // A UUID whose last group is all digits, as one in about 300 are: an id, not a personal number.
  const uuid = '0190a1b2-c3d4-7e5f-8a9b-123456789012'
  const linked = await call(`${CITIZENS}/${id}`, { headers: { 'x-road-id': uuid, 'x-road-issue': uuid } })
  t.equal(linked.statusCode, 200)
  await linked.body.dump()
  // A personal number across the 500-character cut of X-Road-Issue: masked whole, then cut.
  const longIssue = await call(`${CITIZENS}/${id}`, { headers: { 'x-road-issue': `${'x'.repeat(495)} ${id}` } })
  await longIssue.body.dump()
  const spoofed = await request(`${hub.url}${CITIZENS}/${id}`, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H41/DVCTINH' } })
  t.equal(spoofed.statusCode, 403)
  t.equal(spoofed.headers['x-road-client'], 'VN/GOV/000.00.00.H41/DVCTINH', 'the answer echoes the claim')
  await spoofed.body.dump()

  const [misplacedRecord, anonymousRecord, ownIdRecord, linkedRecord, longIssueRecord, spoofedRecord] = hub.records
  t.equal(longIssueRecord?.issue, `${'x'.repeat(495)} [12-`, 'the cut falls inside the mask')
  t.match(misplacedRecord, { outcome: 'unknown_service', serviceSubsystemCode: 'citizens', serviceCode: '[12-digit id]', clientMemberCode: QUANG_NINH })
  t.match(anonymousRecord, { outcome: 'unauthenticated', serviceCode: '[12-digit id]', clientMemberCode: null })
  t.equal(ownIdRecord?.messageId, 'case-[12-digit id]')
  t.match(linkedRecord, { messageId: uuid, issue: uuid })
  t.match(spoofedRecord, { outcome: 'denied', clientMemberCode: QUANG_NINH, clientSubsystemCode: null }, 'counted against the key owner')
  t.notMatch(JSON.stringify(hub.records), id, 'no record holds the personal ID')

  await hub.hub.writer.flush()
  const admin = { authorization: `Bearer ${HUB_ADMIN_TOKEN}` }
  const stats = await (await request(`${hub.url}/v1/stats?groupBy=service,client`, { headers: admin })).body.text()
  t.match(stats, '000.00.00.G01/citizens/[12-digit id]')
  t.notMatch(stats, id, 'nor do the stats')
  const mine = await (await request(`${hub.url}/v1/transactions?member=${QUANG_NINH}&outcome=denied`, { headers: admin })).body.json() as { items: unknown[] }
  t.equal(mine.items.length, 1, "the impersonation attempt is found under the key owner's member")
  const metrics = await (await request(`${hub.url}/metrics`)).body.text()
  t.notMatch(metrics, id, 'nor do the metrics')
})

t.test('callers cannot mint metric series with made-up services: refusals before the service is known count under "unknown"', async (t) => {
  const { hub, call } = await federation(t)
  const series = async (): Promise<string[]> => (await (await request(`${hub.url}/metrics`)).body.text()).split('\n').filter((line) => line.startsWith('ndxp_exchanges_total{'))
  for (let i = 0; i < 30; i++) {
    for (const response of [await request(`${hub.url}/r1/VN/GOV/X/Y/made-up-${i}`), await call(`/r1/VN/GOV/000.00.00.G01/CSDLQGDC/made-up-${i}`)]) await response.body.dump()
  }
  const lines = await series()
  t.equal(lines.filter((line) => line.includes('made-up')).length, 0, 'no series names a made-up service')
  t.match(lines.join('\n'), /ndxp_exchanges_total\{client="unknown\/unknown",service="unknown",outcome="unauthenticated",status="401"\} 30/)
  t.match(lines.join('\n'), /ndxp_exchanges_total\{client="000.00.00.H49\/DVCTINH",service="unknown",outcome="unknown_service",status="404"\} 30/)
  t.equal(hub.records.filter((r) => r.serviceCode?.startsWith('made-up') === true).length, 60, 'the records keep what was asked')
})
