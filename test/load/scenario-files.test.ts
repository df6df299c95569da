// Scenario files (YAML and JSON): a good one compiles into the requests it describes; every kind of bad
// or hostile file is refused with file:line:col, the field, and what to do — before anything is sent.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { MAX_SCENARIO_BYTES, parseScenarioText, readScenarioFile, ScenarioFileError } from '../../cli/load/parse-scenario-file.js'
import { compileScenario } from '../../cli/load/scenario.js'
import type { ScenarioSource } from '../../cli/load/types.js'
import { deriveDevApiKey } from '../../registry/keys.js'
import { DEFAULT_DEV_SECRET } from '../../registry/seed.js'
import { testDataset } from '../helpers/node-app.js'

const AGENCY = `agencies:
  - label: quang-ninh
    client: VN/GOV/000.00.00.H49/DVCTINH
    devKey: 000.00.00.H49
`
const GOOD = `name: province checks
rate: 20
duration: 2s
headers:
  X-Road-UserId: VN{seq}
${AGENCY}  - label: nghe-an
    client: VN/GOV/000.00.00.H41/DVCTINH
    apiKey: ndxp_the-key-of-nghe-an
    rate: 5
requests:
  - name: citizen
    weight: 3
    path: /r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/{personalId}
  - name: verify
    method: post
    path: /r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/verify
    body: {personalId: "{personalId}", fullName: "{fullName}", dateOfBirth: "{dateOfBirth}"}
    agencies: [nghe-an]
`

function source (content: unknown, workerIndex = 0, workerCount = 1): ScenarioSource {
  return { kind: 'file', name: 'scenario.yaml', content, durationMs: 2000, seed: 'files', workerIndex, workerCount }
}

/** The refusal's lines; fails the test when the text is accepted. */
function refusal (t: Test, text: string, file = 'scenario.yaml'): string[] {
  try {
    parseScenarioText(text, file)
  } catch (error) {
    if (error instanceof ScenarioFileError) return [...error.problems]
    throw error
  }
  t.fail(`accepted:\n${text.slice(0, 300)}`)
  return []
}

t.test('a good YAML file compiles into the requests it describes', async (t) => {
  const { content, scenario } = parseScenarioText(GOOD, 'scenario.yaml')
  t.equal(scenario.requests[1]?.method, 'POST', 'methods are upper-cased')
  const compiled = compileScenario(source(content))
  t.equal(compiled.name, 'province checks')
  t.strictSame(compiled.streams.map((s) => [s.label, s.stages]), [
    ['province checks', [{ durationMs: 2000, targetRate: 20 }]],
    ['nghe-an', [{ durationMs: 2000, targetRate: 5 }]],
  ], 'agencies without a rate share the file\'s; an agency with its own gets a stream')
  const shared = compiled.streams[0]?.next()
  t.equal(shared?.label, 'quang-ninh')
  t.equal(shared?.kind, 'citizen', 'quang-ninh may not send verify')
  t.equal(shared?.headers.authorization, `Bearer ${deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.H49')}`, 'devKey derives the seeded key')
  t.equal(shared?.headers['x-road-client'], 'VN/GOV/000.00.00.H49/DVCTINH')
  t.match(shared?.headers['x-road-userid'], /^VN0-0-\d+$/)
  const id = /citizens\/(\d{12})$/.exec(shared?.path ?? '')?.[1] as string
  t.ok(testDataset.citizen(id), '{personalId} is an existing citizen')
  const own = Array.from({ length: 20 }, () => compiled.streams[1]?.next())
  t.ok(own.some((r) => r?.kind === 'verify') && own.some((r) => r?.kind === 'citizen'))
  const verify = own.find((r) => r?.kind === 'verify')
  t.equal(verify?.headers.authorization, 'Bearer ndxp_the-key-of-nghe-an')
  t.equal(verify?.headers['content-type'], 'application/json')
  const body = JSON.parse(verify?.body ?? '{}') as { personalId: string, fullName: string, dateOfBirth: string }
  const citizen = testDataset.citizen(body.personalId)
  t.strictSame(body, { personalId: citizen?.personalId, fullName: citizen?.fullName, dateOfBirth: citizen?.dateOfBirth }, 'one request\'s placeholders name one citizen')
})

t.test('{seq} is one number per request, the same wherever that request uses it, new for the next', async (t) => {
  const text = `rate: 10\n${AGENCY}requests:\n  - path: /things/{seq}\n    headers:\n      X-Request-Seq: "{seq}"\n`
  const stream = compileScenario(source(parseScenarioText(text, 'scenario.yaml').content)).streams[0]
  const requests = Array.from({ length: 50 }, () => stream?.next())
  for (const request of requests) t.equal(request?.path, `/things/${request?.headers['x-request-seq']}`)
  t.equal(new Set(requests.map((r) => r?.path)).size, 50, 'every request has its own number')
  t.equal(requests[0]?.headers.authorization, `Bearer ${deriveDevApiKey(DEFAULT_DEV_SECRET, '000.00.00.H49')}`, 'the agency\'s identity is kept beside the request\'s headers')
})

t.test('the same file as JSON gives the same requests; workers split the rate and draw differently', async (t) => {
  const json = JSON.stringify({ rate: 10, agencies: [{ client: 'VN/GOV/000.00.00.H49/DVCTINH', devKey: '000.00.00.H49' }], requests: [{ path: '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/{personalId}' }] }, null, 2)
  const { content } = parseScenarioText(json, 'scenario.json')
  const take = (worker: number, count: number): string[] => {
    const stream = compileScenario(source(content, worker, 2)).streams[0]
    return Array.from({ length: 5 }, () => stream?.next().path ?? '').slice(0, count)
  }
  t.strictSame(take(0, 5), take(0, 5), 'deterministic for a seed and worker')
  t.not(take(0, 5).join(), take(1, 5).join(), 'another worker draws other keys')
  t.strictSame(compileScenario(source(content, 1, 2)).streams[0]?.stages, [{ durationMs: 2000, targetRate: 5 }], 'each worker takes half the rate')
  t.equal(compileScenario(source(content)).streams[0]?.label, 'scenario', 'unnamed files are named scenario')
})

t.test('mistakes are refused with file:line:col, the field, and how to fix it', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['negative weight', `rate: 5\n${AGENCY}requests:\n  - path: /a\n  - path: /b\n    weight: -2\n`, /^scenario\.yaml:9:13 requests\[1\]\.weight: must be a positive number$/],
    ['misspelt field', `rate: 5\n${AGENCY}requests:\n  - path: /a\n    wieght: 2\n`, /^scenario\.yaml:8:5 requests\[0\]\.wieght: unknown field 'wieght' \(did you mean 'weight'\?\); allowed: name, weight, method/],
    ['unknown top-level field', `rate: 5\nagencys: []\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:2:1 agencys: unknown field 'agencys' \(did you mean 'agencies'\?\)/],
    ['missing path', `rate: 5\n${AGENCY}requests:\n  - method: GET\n`, /^scenario\.yaml:7:5 requests\[0\]\.path: is required/],
    ['path without /', `rate: 5\n${AGENCY}requests:\n  - path: r1/x\n`, /^scenario\.yaml:7:11 requests\[0\]\.path: must start with \//],
    ['unknown placeholder', `rate: 5\n${AGENCY}requests:\n  - path: /x/{personId}\n`, /requests\[0\]\.path: unknown placeholder \{personId\}; known: \{personalId\}/],
    ['negative rate', `rate: -5\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:1:7 rate: must not be negative/],
    ['NaN rate', `rate: .nan\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:1:7 rate: must be a number of requests per second, e\.g\. 50; got NaN/],
    ['infinite rate', `rate: .inf\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:1:7 rate: .*got Infinity/],
    ['rate as text', `rate: fast\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:1:7 rate: must be a number .*got the text 'fast'/],
    ['bad duration', `rate: 5\nduration: 30 seconds\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:2:11 duration: must be a duration like 30s/],
    ['both keys', `rate: 5\nagencies:\n  - client: VN/GOV/000.00.00.H49/DVCTINH\n    devKey: 000.00.00.H49\n    apiKey: ndxp_x\nrequests:\n  - path: /a\n`, /^scenario\.yaml:4:13 agencies\[0\]\.devKey: give exactly one of apiKey/],
    ['bad client id', `rate: 5\nagencies:\n  - client: H49\n    devKey: 000.00.00.H49\nrequests:\n  - path: /a\n`, /^scenario\.yaml:3:13 agencies\[0\]\.client: .*e\.g\. VN\/GOV\/000\.00\.00\.H49\/DVCTINH/],
    ['request for no agency', `rate: 5\n${AGENCY}requests:\n  - path: /a\n    agencies: [hue]\n`, /^scenario\.yaml:8:16 requests\[0\]\.agencies\[0\]: no agency is labelled 'hue'; labels: quang-ninh/],
    ['GET with a body', `rate: 5\n${AGENCY}requests:\n  - path: /a\n    body: hello\n`, /requests\[0\]\.body: a GET request carries no body/],
    ['Authorization header', `rate: 5\nheaders: {Authorization: Bearer x}\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:2:11 headers\.Authorization: is set from the agency/],
    ['header injection', `rate: 5\n${AGENCY}    headers: {X-Note: "a\\r\\nX-Evil: 1"}\nrequests:\n  - path: /a\n`, /^scenario\.yaml:6:23 agencies\[0\]\.headers\.X-Note: must not contain line breaks \(CR or LF\)/],
    ['non-ASCII header', `rate: 5\n${AGENCY}    headers: {X-Name: "Hà Nội"}\nrequests:\n  - path: /a\n`, /agencies\[0\]\.headers\.X-Name: must be printable ASCII/],
    ['non-ASCII path', `rate: 5\n${AGENCY}requests:\n  - path: /tỉnh/Hà Nội\n`, /requests\[0\]\.path: must be printable ASCII without spaces: percent-encode/],
    ['bad header name', `rate: 5\nheaders: {"X Bad": 1}\n${AGENCY}requests:\n  - path: /a\n`, /headers\["X Bad"\]: is not an HTTP header name/],
    ['control character in a label', `rate: 5\nagencies:\n  - label: "qn\\u001b[31m"\n    client: VN/GOV/000.00.00.H49/DVCTINH\n    devKey: 000.00.00.H49\nrequests:\n  - path: /a\n`, /agencies\[0\]\.label: must not contain control/],
    ['list at the root', '- rate: 5\n- requests: []\n', /^scenario\.yaml:1:1 \(top level\): the file must hold a mapping with agencies and requests/],
    ['text at the root', 'just some words\n', /^scenario\.yaml:1:1 \(top level\): the file must hold a mapping .*got the text 'just some words'/],
    ['custom tag', `rate: 5\n${AGENCY}requests:\n  - path: !path /a\n`, /^scenario\.yaml:7:\d+ the tag !path is not allowed/],
    ['duplicate key', `rate: 5\nrate: 6\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:2:1 Map keys must be unique/],
    ['YAML syntax', `rate: 5\n${AGENCY}requests:\n  - path: [/a\n`, /^scenario\.yaml:\d+:\d+ /],
    ['a tag', `rate: !!binary aGVsbG8=\n${AGENCY}requests:\n  - path: /a\n`, /^scenario\.yaml:1:\d+ the tag !!binary is not allowed: scenario files are plain YAML or JSON without tags$/],
    ['JSON mistake', '{"rate": 5, "agencies": [{"client": "VN/GOV/000.00.00.H49/DVCTINH", "devKey": "000.00.00.H49"}],\n "requests": [{"path": "/a", "weight": 0}]}', /^scenario\.yaml:2:40 requests\[0\]\.weight: must be a positive number$/],
  ]
  for (const [name, text, expected] of cases) {
    const problems = refusal(t, text)
    t.match(problems[0], expected, name)
  }
})

t.test('hostile files are refused quickly and clearly', async (t) => {
  const started = Date.now()
  const deep = refusal(t, `rate: 5\nbody: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)
  t.match(deep[0], /^scenario\.yaml:2:71 opens more than 64 nested \[ or \{ : nesting too deep/, 'deep flow nesting never reaches the parser')
  const indented = refusal(t, `a:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}\n`)
  t.match(indented[0], /indented more than 200 columns: nesting too deep/)
  const nested = refusal(t, `rate: 5\n${AGENCY}requests:\n  - path: /a\n    method: POST\n    body: ${'{a: '.repeat(40)}1${'}'.repeat(40)}\n`)
  t.match(nested[0], /requests\[0\]\.body\.a\.a\.a…: nested more than 32 levels deep/)
  const bomb = refusal(t, ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), ''].join('\n'))
  t.match(bomb[0], /^scenario\.yaml:1:1 Excessive alias count .*: use fewer aliases/, 'an alias bomb is stopped by the alias budget')
  const cycle = refusal(t, 'rate: &r [*r]\n')
  t.match(cycle[0], /nested more than 32 levels deep \(or refers to itself through an alias\)/)
  t.ok(Date.now() - started < 5000, `refused in ${Date.now() - started} ms`)
})

t.test('readScenarioFile caps the size, wants UTF-8 text in a regular file, and names the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ndxp-scenario-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const good = join(dir, 'good.yaml')
  await writeFile(good, GOOD)
  t.equal((await readScenarioFile(good)).scenario.name, 'province checks')
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['huge.yaml', `rate: 5\n# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`, /is larger than 512 KiB/],
    ['latin1.yaml', Buffer.from([0x72, 0x61, 0x74, 0x65, 0x3a, 0x20, 0xe9, 0x0a]), /is not valid UTF-8 text/],
    ['bad.yaml', `rate: 5\n${AGENCY}requests:\n  - path: nope\n`, /bad\.yaml:7:11 requests\[0\]\.path: must start with \//],
  ]
  for (const [name, content, expected] of cases) {
    await writeFile(join(dir, name), content)
    await t.rejects(readScenarioFile(join(dir, name)), { name: 'ScenarioFileError', message: expected }, name)
  }
  await t.rejects(readScenarioFile(join(dir, 'absent.yaml')), { message: /absent\.yaml is not valid:\n {2}cannot open it \(ENOENT\): check the path/ })
  await t.rejects(readScenarioFile(dir), { message: /is not a regular file/ })
})
