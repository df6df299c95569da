// `ndxp load` as a command: bad usage and bad scenario files exit 2 with a clear message before anything
// is sent, an unreachable target exits 3, a failed threshold exits 1; reports are written where asked.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { loadCommand } from '../../cli/load-command.js'
import { capturedIo, runCli } from './run-cli.js'

const BAD = `rate: 5
agencies:
  - label: quang-ninh
    client: VN/GOV/000.00.00.H49/DVCTINH
    devKey: 000.00.00.H49
requests:
  - path: r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/{personalId}
`
const NO_RATE = `agencies:
  - client: VN/GOV/000.00.00.H49/DVCTINH
    devKey: 000.00.00.H49
requests:
  - path: /r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/{personalId}
`

async function scratch (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ndxp-load-cmd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'bad.yaml'), BAD)
  await writeFile(join(dir, 'no-rate.yaml'), NO_RATE)
  return dir
}

/** Any HTTP answer will do for the command's own behaviour: a server that says 200 to everything. */
async function anyServer (t: Test): Promise<string> {
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('bad usage and bad scenario files exit 2 with a message, before anything is sent', async (t) => {
  const dir = await scratch(t)
  const target = await anyServer(t)
  const cases: Array<[string, string[], RegExp]> = [
    ['a bad file', ['--scenario', join(dir, 'bad.yaml')], /^ndxp load: scenario .*bad\.yaml is not valid:\n {2}.*bad\.yaml:7:11 requests\[0\]\.path: must start with \//],
    ['a file without rates', ['--scenario', join(dir, 'no-rate.yaml')], /no-rate\.yaml gives no rate for agency 'VN\/GOV\/000\.00\.00\.H49\/DVCTINH': .*pass --rate or --stages, or use --concurrency/],
    ['a missing file', ['--scenario', join(dir, 'absent.yaml')], /absent\.yaml is not valid:\n {2}cannot open it \(ENOENT\)/],
    ['not a scenario', ['--scenario', 'national'], /--scenario must be national-mix or a \.yaml\/\.yml\/\.json file; got 'national'/],
    ['rate and stages', ['--rate', '10', '--stages', '10s:5'], /give --rate or --stages, not both/],
    ['negative rate', ['--rate=-3'], /--rate must be a positive number of requests per second; got '-3'/],
    ['NaN rate', ['--rate', 'NaN'], /--rate must be a positive number/],
    ['bad stages', ['--stages', '30s:100,soon:5'], /--stages stage 2 duration must be a duration like 30s/],
    ['bad duration', ['--duration', '30'], /--duration must be a duration like 30s, 2m, 1m30s or 500ms; got '30'/],
    ['closed and a rate', ['--concurrency', '4', '--rate', '10'], /--concurrency \(closed model\) sends as fast as answers come back/],
    ['zero workers', ['--workers', '0'], /--workers must be a whole number from 1 to 64; got '0'/],
    ['fewer clients than workers', ['--concurrency', '2', '--workers', '4'], /--concurrency 2 is less than --workers 4/],
    ['bad threshold', ['--threshold', 'p99<fast'], /threshold 'p99<fast'/],
    ['bad share', ['--write-share', '2'], /writeShare must be a share from 0 to 1, got 2/],
    ['share on a file', ['--scenario', join(dir, 'no-rate.yaml'), '--not-found-share', '0.1'], /--write-share and --not-found-share tune national-mix/],
    ['target with a path', ['--target', 'http://127.0.0.1:8080/r1'], /--target must be an http\(s\) origin/],
    ['unknown flag', ['--rps', '10'], /Unknown option '--rps'/],
  ]
  for (const [name, args, message] of cases) {
    const io = capturedIo({})
    t.equal(await loadCommand(['--target', target, ...args], io), 2, name)
    t.match(io.stderr.join('\n'), message, name)
  }
  const help = capturedIo({})
  t.equal(await loadCommand(['--help'], help), 0)
  t.match(help.stdout.join(''), /^usage: ndxp load \[options\]/)
})

t.test('an unreachable target exits 3; a failed threshold exits 1; reports are written', async (t) => {
  const dir = await scratch(t)
  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => { const { port } = server.address() as AddressInfo; server.close(() => resolve(port)) })
  })
  const down = capturedIo({})
  t.equal(await loadCommand(['--target', `http://127.0.0.1:${closed}`, '--duration', '1s'], down), 3)
  t.match(down.stderr.join(''), /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): start the federation with 'ndxp up', or pass --target <url>/)

  const target = await anyServer(t)
  const io = capturedIo({})
  const html = join(dir, 'r.html')
  const json = join(dir, 'r.json')
  t.equal(await loadCommand(['--target', target, '--rate', '20', '--duration', '1s', '--threshold', 'rate>=1000', '--threshold', 'errors==0', '--html', html, '--json', json], io), 1)
  t.match(io.stdout.join('\n'), /thresholds: 1 of 2 FAILED\n {4}FAIL rate>=1000: .*\n {4}ok {3}errors==0: 0 \(pass\)/)
  t.match(await readFile(html, 'utf8'), /^<!doctype html>[\s\S]*national-mix[\s\S]*<svg/)
  t.match(JSON.parse(await readFile(json, 'utf8')), { reportVersion: 1, askedRate: 20, totals: { sent: 20 } })

  const closedModel = capturedIo({})
  t.equal(await loadCommand(['--target', target, '--concurrency', '2', '--duration', '1s', '--scenario', join(dir, 'no-rate.yaml')], closedModel), 0, closedModel.stderr.join('\n'))
  t.match(closedModel.stdout.join('\n'), /closed model, 2 concurrent clients/)
  t.match(closedModel.stdout.join('\n'), /agency .*\n {2}VN\/GOV\/000\.00\.00\.H49\/DVCTINH\s+\d+/)
})

t.test('a target that falls behind: the achieved rate is what it answered over the time it took, and queued sends count late', async (t) => {
  // One connection to a target that takes 100 ms per answer: at most 10/s, asked for 20/s.
  const server = createServer((req, res) => { req.resume(); req.on('end', () => setTimeout(() => res.end('{}'), 100)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dir = await scratch(t)
  const json = join(dir, 'behind.json')
  const io = capturedIo({})
  t.equal(await loadCommand(['--target', target, '--rate', '20', '--duration', '2s', '--connections', '1', '--threshold', 'rate>=15', '--json', json], io), 1, 'rate>=15 fails')
  const report = JSON.parse(await readFile(json, 'utf8')) as { totals: { responses: number, rate: number, late: number } }
  t.equal(report.totals.responses, 40)
  t.ok(report.totals.rate > 7 && report.totals.rate < 11, `achieved about 10/s, not the 20 asked (${report.totals.rate.toFixed(1)})`)
  t.ok(report.totals.late >= 30, `the sends that waited for the one connection count late (${report.totals.late})`)
})

t.test('one request that never answers does not stretch the achieved rate of all the others', async (t) => {
  let seen = 0
  const server = createServer((req, res) => { req.resume(); if (++seen !== 3) req.on('end', () => res.end('{}')) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const dir = await scratch(t)
  const json = join(dir, 'hang.json')
  const io = capturedIo({})
  await loadCommand(['--target', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--rate', '40', '--duration', '2s', '--timeout', '3s', '--json', json], io)
  const report = JSON.parse(await readFile(json, 'utf8')) as { totals: { responses: number, rate: number } }
  t.equal(report.totals.responses, 79)
  t.ok(report.totals.rate > 35, `79 answers within the 2 s planned: about 40/s, not over the 3 s timeout (${report.totals.rate.toFixed(1)})`)
})

t.test('the real `ndxp load` refuses a bad scenario file with exit code 2', async (t) => {
  const dir = await scratch(t)
  const run = await runCli(['load', '--scenario', join(dir, 'bad.yaml'), '--target', 'http://127.0.0.1:9'])
  t.equal(run.code, 2)
  t.match(run.stderr, /bad\.yaml:7:11 requests\[0\]\.path: must start with \//)
})
