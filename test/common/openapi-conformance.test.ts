// Each server's /docs/json tells the truth about what it sends: real requests that produce each kind of
// answer, checked against the operation the document gives for them (status and content type).
import t, { type Test } from 'tap'
import { request } from 'undici'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { civilRecordsService, createBirthsService } from '../../lgsp-node/services/civil-status/index.js'
import { HUB_ADMIN_TOKEN, startHub } from '../helpers/hub.js'
import { startNode, TEST_ADMIN_TOKEN, testDataset } from '../helpers/node-app.js'

interface Operation { security?: unknown[], parameters?: Array<{ in: string, name: string, required?: boolean }>, responses: Record<string, { content?: Record<string, unknown> }> }
type Document = { paths: Record<string, Record<string, Operation>> }

async function documentOf (url: string): Promise<Document> {
  return await (await request(`${url}/docs/json`)).body.json() as Document
}

/** Sends the request and checks its status and content type are documented for `method path` (a template). */
async function conforms (t: Test, doc: Document, url: string, method: string, template: string, path: string, options: { headers?: Record<string, string>, body?: string } = {}): Promise<void> {
  const response = await request(`${url}${path}`, { method: method as 'GET', ...options })
  await response.body.dump()
  const operation = doc.paths[template]?.[method.toLowerCase()]
  if (operation === undefined) return void t.fail(`${method} ${template} is not documented`)
  const documented = operation.responses[String(response.statusCode)]
  t.ok(documented, `${method} ${path} → ${response.statusCode} is documented`)
  const type = String(response.headers['content-type'] ?? '').split(';')[0] as string
  const types = Object.keys(documented?.content ?? {}).map((k) => k.split(';')[0])
  if (type === '') t.same(types, [], `${response.statusCode} with no body documents no body`)
  else t.ok(types.includes(type) || types.includes('*/*'), `${response.statusCode} ${type} is a documented content type (${types.join(', ')})`)
}

t.test('the hub documents the exchange as callers must send it, and what its other routes send', async (t) => {
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url })
  const doc = await documentOf(hub.url)
  const exchange = Object.keys(doc.paths).filter((path) => path.startsWith('/r1/'))
  t.same(exchange, ['/r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}', '/r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}/{servicePath}'])
  for (const path of exchange) {
    for (const [method, operation] of Object.entries(doc.paths[path] ?? {})) {
      t.ok(operation.security?.length, `${method} ${path} says it needs the agency key`)
      t.ok(operation.parameters?.some((p) => p.in === 'header' && p.name === 'X-Road-Client' && p.required === true), `${method} ${path} needs X-Road-Client`)
    }
  }
  const template = '/r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}/{servicePath}'
  const citizen = `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${testDataset.population.idAt(5)}`
  const key = hub.keys.get('000.00.00.H49') as string
  await conforms(t, doc, hub.url, 'GET', template, citizen, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' } })
  await conforms(t, doc, hub.url, 'GET', template, citizen)
  await conforms(t, doc, hub.url, 'GET', template, citizen, { headers: { authorization: `Bearer ${key}`, 'x-road-client': 'VN/GOV/000.00.00.G01/CSDLQGDC' } })
  await conforms(t, doc, hub.url, 'GET', '/metrics', '/metrics')
  const admin = { authorization: `Bearer ${HUB_ADMIN_TOKEN}` }
  const grant = await (await request(`${hub.url}/v1/registry/grants`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ client: 'VN/GOV/000.00.00.H49/DVCTINH', service: 'VN/GOV/000.00.00.G15/HOTICH/births' }) })).body.json() as { id: string }
  await conforms(t, doc, hub.url, 'DELETE', '/v1/registry/grants/{id}', `/v1/registry/grants/${grant.id}`, { headers: admin })
  await conforms(t, doc, hub.url, 'PUT', '/v1/nodes/{id}', '/v1/nodes/population', { headers: { authorization: 'Bearer x', 'content-type': 'text/plain' }, body: 'hello' })
  await conforms(t, doc, hub.url, 'POST', '/v1/nodes/{id}/heartbeat', '/v1/nodes/population/heartbeat', { headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: JSON.stringify({ health: 'up', pad: 'x'.repeat(9000) }) })
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.responses['204'] !== undefined) t.same(operation.responses['204'].content, undefined, `${method} ${path}: a 204 has no body`)
    }
  }
})

t.test('a node documents its health probe, its administration and what its JSON writes refuse', async (t) => {
  const node = await startNode(t, [populationService, civilRecordsService, createBirthsService()])
  const doc = await documentOf(node.url)
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
  await conforms(t, doc, node.url, 'GET', '/healthz', '/healthz')
  await conforms(t, doc, node.url, 'GET', '/_node/keys/{source}', '/_node/keys/citizens')
  await conforms(t, doc, node.url, 'DELETE', '/_node/faults', '/_node/faults', { headers: admin })
  await conforms(t, doc, node.url, 'DELETE', '/_node/faults', '/_node/faults')
  await conforms(t, doc, node.url, 'DELETE', '/_node/faults/counts', '/_node/faults/counts', { headers: admin })
  await conforms(t, doc, node.url, 'DELETE', '/_node/faults/{id}', '/_node/faults/nothing', { headers: admin })
  await conforms(t, doc, node.url, 'POST', '/_node/faults', '/_node/faults', { headers: { ...admin, 'content-type': 'text/plain' }, body: 'x' })
  for (const path of ['/citizens/verify', '/citizens/newborns', '/births']) {
    await conforms(t, doc, node.url, 'POST', path, path, { headers: { 'content-type': 'application/xml' }, body: '<x/>' })
    await conforms(t, doc, node.url, 'POST', path, path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })
  }
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/_node/')) continue
    for (const [method, operation] of Object.entries(methods)) t.ok(operation.security?.length, `${method} ${path} says it needs the admin token`)
  }
})
