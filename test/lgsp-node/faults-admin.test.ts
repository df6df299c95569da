// The /_node/faults admin API: auth, adding and removing rules, counts, and hostile input.
import t from 'tap'
import { problemSchema } from '../../contracts/errors.js'
import { faultRuleSchema, type FaultCounts, type FaultRuleList } from '../../contracts/faults.js'
import { ADMIN_TOKEN, buildApp, buildHost, PERSON } from './faults-host.js'

const citizenPath = `/citizens/${PERSON}`
const down = { fault: { kind: 'down' } }

t.test('admin auth: a missing, wrong or non-bearer token is a 401 admin.unauthenticated problem', async (t) => {
  const host = await buildHost(t)
  const attempts: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer wrong-token' },
    { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
    { authorization: `Bearer ${ADMIN_TOKEN}x` },
    { authorization: 'Bearer' },
  ]
  for (const headers of attempts) {
    for (const [method, url] of [['GET', '/_node/faults'], ['POST', '/_node/faults'], ['DELETE', '/_node/faults'], ['GET', '/_node/faults/counts']] as const) {
      const response = await host.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: down } : {}) })
      t.equal(response.statusCode, 401, `${method} ${url} with ${JSON.stringify(headers)}`)
      t.equal(problemSchema.parse(response.json()).type, 'admin.unauthenticated')
    }
  }
  const response = await host.admin('GET', '/_node/faults', undefined, {})
  t.match(response.headers['www-authenticate'], /^Bearer/)
  t.same((await host.admin('GET', '/_node/faults')).json(), { rules: [] }, 'nothing was added by the rejected posts')
  t.equal((await host.admin('GET', '/_node/faults', undefined, { authorization: `bearer  ${ADMIN_TOKEN}` })).statusCode, 200, 'the scheme is case-insensitive')
})

t.test('the plugin refuses to start without an admin token', async (t) => {
  await t.rejects(buildApp({ adminToken: '' }), /admin token/)
})

t.test('rules: add with defaults, list, conflict, delete one, delete all', async (t) => {
  const host = await buildHost(t)
  const created = await host.admin('POST', '/_node/faults', { scope: { service: 'citizens' }, ...down })
  t.equal(created.statusCode, 201)
  const rule = faultRuleSchema.parse(created.json())
  t.same(rule, { id: 'fault-1', scope: { service: 'citizens' }, trigger: { type: 'always' }, seed: 1, fault: { kind: 'down' } }, 'id, trigger and seed filled in')
  t.equal(created.headers.location, '/_node/faults/fault-1')

  const named = await host.admin('POST', '/_node/faults', { id: 'fault-2', ...down })
  t.equal(named.statusCode, 201)
  t.equal((await host.admin('POST', '/_node/faults', down)).json<{ id: string }>().id, 'fault-3', 'fresh ids skip taken ones')

  const duplicate = await host.admin('POST', '/_node/faults', { id: 'fault-1', ...down })
  t.equal(duplicate.statusCode, 409)
  t.equal(problemSchema.parse(duplicate.json()).type, 'client.conflict')

  t.same((await host.admin('GET', '/_node/faults')).json<FaultRuleList>().rules.map((r) => r.id), ['fault-1', 'fault-2', 'fault-3'])
  t.equal((await host.admin('DELETE', '/_node/faults/fault-2')).statusCode, 204)
  const gone = await host.admin('DELETE', '/_node/faults/fault-2')
  t.equal(gone.statusCode, 404)
  t.equal(problemSchema.parse(gone.json()).type, 'client.not_found')
  t.same((await host.admin('GET', '/_node/faults')).json<FaultRuleList>().rules.map((r) => r.id), ['fault-1', 'fault-3'])
  t.equal((await host.admin('DELETE', '/_node/faults')).statusCode, 204)
  t.same((await host.admin('GET', '/_node/faults')).json(), { rules: [] })
  t.equal((await host.get(citizenPath)).status, 200, 'no rule left to fire')
})

t.test('counts: per rule and kind; reset with the rules, or alone', async (t) => {
  const host = await buildHost(t)
  await host.addRule({ id: 'lag', fault: { kind: 'latency', distribution: { type: 'fixed', ms: 1 } } })
  await host.addRule({ id: 'half', trigger: { type: 'everyNth', n: 2 }, scope: { service: 'citizens' }, fault: { kind: 'error', status: 500 } })
  for (let i = 0; i < 4; i++) await host.get(citizenPath)
  await host.get('/insurance/X1')
  const counts = (await host.admin('GET', '/_node/faults/counts')).json<FaultCounts>().counts
  t.same(counts, [{ ruleId: 'lag', kind: 'latency', fired: 5 }, { ruleId: 'half', kind: 'error', fired: 2 }])

  t.equal((await host.admin('DELETE', '/_node/faults/counts')).statusCode, 204)
  t.same((await host.admin('GET', '/_node/faults/counts')).json(), { counts: [] })
  t.equal((await host.admin('GET', '/_node/faults')).json<FaultRuleList>().rules.length, 2, 'rules stay')

  await host.get(citizenPath)
  t.equal((await host.admin('DELETE', '/_node/faults')).statusCode, 204)
  t.same((await host.admin('GET', '/_node/faults/counts')).json(), { counts: [] }, 'deleting all rules resets counts')
})

t.test('hostile rules are refused with a 400 problem naming the bad field', async (t) => {
  const host = await buildHost(t)
  const cases: Array<[string, unknown, string]> = [
    ['unknown kind', { fault: { kind: 'explode' } }, 'fault.kind'],
    ['no fault', {}, 'fault'],
    ['status 200', { fault: { kind: 'error', status: 200 } }, 'fault.status'],
    ['status 999', { fault: { kind: 'error', status: 999 } }, 'fault.status'],
    ['fractional status', { fault: { kind: 'error', status: 500.5 } }, 'fault.status'],
    ['status as text', { fault: { kind: 'error', status: '500' } }, 'fault.status'],
    ['negative delay', { fault: { kind: 'latency', distribution: { type: 'fixed', ms: -5 } } }, 'fault.distribution.ms'],
    ['huge delay', { fault: { kind: 'latency', distribution: { type: 'fixed', ms: 1e300 } } }, 'fault.distribution.ms'],
    ['uniform upside down', { fault: { kind: 'latency', distribution: { type: 'uniform', minMs: 50, maxMs: 10 } } }, 'fault.distribution.maxMs'],
    ['p99 below median', { fault: { kind: 'latency', distribution: { type: 'lognormal', medianMs: 50, p99Ms: 10 } } }, 'fault.distribution.p99Ms'],
    ['zero pareto shape', { fault: { kind: 'latency', distribution: { type: 'pareto', minMs: 5, alpha: 0 } } }, 'fault.distribution.alpha'],
    ['unknown distribution', { fault: { kind: 'latency', distribution: { type: 'gaussian', ms: 5 } } }, 'fault.distribution.type'],
    ['probability above 1', { trigger: { type: 'probability', p: 1.5 }, ...down }, 'trigger.p'],
    ['negative probability', { trigger: { type: 'probability', p: -0.1 }, ...down }, 'trigger.p'],
    ['every 0th', { trigger: { type: 'everyNth', n: 0 }, ...down }, 'trigger.n'],
    ['every 2.5th', { trigger: { type: 'everyNth', n: 2.5 }, ...down }, 'trigger.n'],
    ['negative seed', { seed: -1, ...down }, 'seed'],
    ['huge seed', { seed: 2 ** 53, ...down }, 'seed'],
    ['keep the whole body', { fault: { kind: 'truncate', keepFraction: 1 } }, 'fault.keepFraction'],
    ['extra field', { ...down, colour: 'red' }, 'body'],
    ['extra nested field', { fault: { kind: 'down', status: 503 } }, 'fault'],
    ['extra scope field', { scope: { servce: 'citizens' }, ...down }, 'scope'],
    ['id with a space', { id: 'my rule', ...down }, 'id'],
    ['id with a separator', { id: 'a;b', ...down }, 'id'],
    ['reserved id', { id: 'counts', ...down }, 'id'],
    ['endpoint without a method', { scope: { endpoint: '/citizens' }, ...down }, 'scope.endpoint'],
    ['header name with a colon', { scope: { header: { name: 'x:y', value: '1' } }, ...down }, 'scope.header.name'],
    ['not a timestamp', { activeFrom: 'tomorrow', ...down }, 'activeFrom'],
    ['window upside down', { activeFrom: '2025-01-02T00:00:00Z', activeUntil: '2025-01-01T00:00:00Z', ...down }, 'activeUntil'],
    ['an array', [down], 'body'],
    ['a number', 42, 'body'],
  ]
  for (const [name, body, path] of cases) {
    const response = await host.app.inject({
      method: 'POST',
      url: '/_node/faults',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    t.equal(response.statusCode, 400, `${name}: 400`)
    const problem = problemSchema.parse(response.json())
    t.equal(problem.type, 'client.bad_request', `${name}: client.bad_request`)
    t.ok(problem.errors?.some((e) => e.path.startsWith(`body.${path}`) || (path === 'body' && e.path.startsWith('body'))),
      `${name}: names ${path} (${problem.errors?.map((e) => e.path).join(', ')})`)
  }
  t.same((await host.admin('GET', '/_node/faults')).json(), { rules: [] }, 'nothing was stored')
})

t.test('bodies that are not a JSON rule at all', async (t) => {
  const host = await buildHost(t)
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const post = (payload: string, contentType: string) =>
    host.app.inject({ method: 'POST', url: '/_node/faults', headers: { ...auth, 'content-type': contentType }, payload })
  const text = await post('down please', 'text/plain')
  t.equal(text.statusCode, 415)
  t.equal(problemSchema.parse(text.json()).type, 'client.unsupported_media_type')
  const broken = await post('{"fault": {"kind": "down"', 'application/json')
  t.equal(broken.statusCode, 400)
  t.equal(problemSchema.parse(broken.json()).type, 'client.bad_request')
  const poisoned = await post('{"fault": {"kind": "down"}, "__proto__": {"admin": true}}', 'application/json')
  t.equal(poisoned.statusCode, 400, 'prototype poisoning is refused')
  const huge = await post(JSON.stringify({ ...down, description: 'x'.repeat(100_000) }), 'application/json')
  t.equal(huge.statusCode, 413)
  t.equal(problemSchema.parse(huge.json()).type, 'client.payload_too_large')
  const long = await post(JSON.stringify({ ...down, description: 'x'.repeat(501) }), 'application/json')
  t.equal(long.statusCode, 400, 'descriptions are bounded too')
  t.same((await host.admin('GET', '/_node/faults')).json(), { rules: [] })
})
