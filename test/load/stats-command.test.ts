// `ndxp stats` against a real hub on loopback: the table and JSON of what the hub recorded, and a clear
// message (and exit code) when the hub is unreachable, refuses the token, answers a problem, or is not a hub.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { formatStats, parseTime, statsCommand } from '../../cli/stats-command.js'
import type { StatsResult } from '../../contracts/transaction.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { HUB_ADMIN_TOKEN, startHub, type StartedHub } from '../helpers/hub.js'
import { startNode, testDataset } from '../helpers/node-app.js'
import { capturedIo, runCli } from './run-cli.js'

const CITIZENS = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens'

/** A hub with a population node and a few recorded exchanges: 3 + 1 not found by Quảng Ninh, 2 by Huế. */
async function hubWithTraffic (t: Test): Promise<StartedHub> {
  const node = await startNode(t, [populationService])
  const hub = await startHub(t, { population: node.url })
  const call = async (member: string, id: string): Promise<void> => {
    const response = await request(`${hub.url}${CITIZENS}/${id}`, { headers: { authorization: `Bearer ${hub.keys.get(member)}`, 'x-road-client': `VN/GOV/${member}/DVCTINH` } })
    await response.body.dump()
  }
  for (const i of [1, 2, 3]) await call('000.00.00.H49', testDataset.population.idAt(i))
  await call('000.00.00.H49', '001099999999')
  for (const i of [4, 5]) await call('000.00.00.H57', testDataset.population.idAt(i))
  return hub
}

t.test('the table of counts by client and outcome, the JSON, and per-minute rows', async (t) => {
  const hub = await hubWithTraffic(t)
  const io = capturedIo({})
  const base = ['--hub', hub.url, '--admin-token', HUB_ADMIN_TOKEN]
  t.equal(await statsCommand([...base, '--group-by', 'client,outcome'], io), 0, io.stderr.join('\n'))
  const table = io.stdout.join('\n')
  t.match(table, /^transactions from \d{4}-\d{2}-\d{2} \d{2}:\d{2}Z to .* UTC, by client, outcome\n/)
  t.match(table, /client\s+outcome\s+count\s+succeeded\s+failed\s+p50\s+p90\s+p99\s+max\n/)
  t.match(table, /VN\/GOV\/000\.00\.00\.H49\/DVCTINH\s+success\s+3\s+3\s+0\s/)
  t.match(table, /VN\/GOV\/000\.00\.00\.H49\/DVCTINH\s+provider_error\s+1\s+0\s+1\s/)
  t.match(table, /VN\/GOV\/000\.00\.00\.H57\/DVCTINH\s+success\s+2\s+2\s+0\s/)
  t.match(table, /\ntotal\s+6\s+5\s+1$/)
  const json = capturedIo({})
  t.equal(await statsCommand([...base, '--group-by', 'client', '--json', '--from', '-15m'], json), 0)
  const answer = JSON.parse(json.stdout.join('')) as StatsResult
  t.strictSame(answer.rows.map((r) => [r.client, r.count]), [['VN/GOV/000.00.00.H49/DVCTINH', 4], ['VN/GOV/000.00.00.H57/DVCTINH', 2]])
  const minutes = capturedIo({ NDXP_HUB_URL: hub.url, NDXP_ADMIN_TOKEN: HUB_ADMIN_TOKEN })
  t.equal(await statsCommand(['--interval', 'minute', '--client', 'VN/GOV/000.00.00.H57/DVCTINH'], minutes), 0, 'the hub and token come from the environment too')
  t.match(minutes.stdout.join(''), /minute \(UTC\)\s+count.*\n\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z\s+2\s+2\s+0/)
  const all = capturedIo({ NDXP_HUB_URL: hub.url, NDXP_ADMIN_TOKEN: HUB_ADMIN_TOKEN })
  t.equal(await statsCommand([], all), 0)
  t.match(all.stdout.join(''), /\nall\s+6\s+5\s+1\s/, 'ungrouped: one row')
})

t.test('the real `ndxp stats` command prints the table and exits 0', async (t) => {
  const hub = await hubWithTraffic(t)
  const run = await runCli(['stats', '--hub', hub.url, '--group-by', 'client'], { NDXP_ADMIN_TOKEN: HUB_ADMIN_TOKEN })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /VN\/GOV\/000\.00\.00\.H49\/DVCTINH\s+4\s+3\s+1\s/)
})

t.test('failures: unreachable hub, wrong token, problem answers, not a hub, bad usage', async (t) => {
  const hub = await hubWithTraffic(t)
  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => { const { port } = server.address() as AddressInfo; server.close(() => resolve(port)) })
  })
  const html = createServer((_, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>') })
  await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { html.close() })
  const htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`
  const cases: Array<[string, string[], number, RegExp]> = [
    ['unreachable', ['--hub', `http://127.0.0.1:${closed}`], 1, /^ndxp stats: cannot reach the hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is it running\? Start it with 'ndxp up', or pass --hub <url>$/],
    ['wrong token', ['--hub', hub.url, '--admin-token', 'not-the-token'], 1, /^ndxp stats: the hub answered 401 admin\.unauthenticated: .*; pass the hub's admin token with --admin-token or NDXP_ADMIN_TOKEN$/],
    ['problem+json 400', ['--hub', hub.url, '--admin-token', HUB_ADMIN_TOKEN, '--client', 'x'.repeat(400)], 1, /^ndxp stats: the hub answered 400 client\.bad_request: .*client/],
    ['not a hub', ['--hub', htmlUrl], 1, /answered 200 with text\/html, not JSON: is --hub pointing at an ndxp hub\?/],
    ['bad dimension', ['--hub', hub.url, '--group-by', 'client,agency'], 2, /^ndxp stats: --group-by accepts client, service, provider, status, outcome \(comma-separated\); not agency\n\nusage: ndxp stats/],
    ['bad time', ['--hub', hub.url, '--from', 'yesterday'], 2, /--from must be an ISO date-time/],
    ['reversed range', ['--hub', hub.url, '--from', '-5m', '--to', '-10m'], 2, /--from must be before --to/],
    ['bad interval', ['--hub', hub.url, '--interval', 'week'], 2, /--interval must be total, minute, hour or day; got 'week'/],
    ['bad hub url', ['--hub', 'localhost:8080'], 2, /--hub must be an http\(s\) URL/],
    ['unknown flag', ['--hub', hub.url, '--groupby', 'client'], 2, /Unknown option '--groupby'/],
  ]
  for (const [name, args, code, message] of cases) {
    const io = capturedIo({})
    t.equal(await statsCommand(args, io), code, name)
    t.match(io.stderr.join('\n'), message, name)
  }
})

t.test('relative times and the empty answer', async (t) => {
  const now = Date.parse('2026-03-01T08:00:00Z')
  t.equal(parseTime('-15m', 'from', now), now - 15 * 60_000)
  t.equal(parseTime('-2d', 'from', now), now - 2 * 86_400_000)
  t.equal(parseTime('2026-03-01T08:00:00+07:00', 'from', now), Date.parse('2026-03-01T01:00:00Z'))
  t.equal(parseTime('now', 'to', now), now)
  const empty = formatStats({ from: now - 3_600_000, to: now, interval: 'total', groupBy: ['client'], totals: { count: 0, succeeded: 0, failed: 0 }, rows: [] })
  t.match(empty, /client\s+count.*\ntotal\s+0\s+0\s+0$/)
})
