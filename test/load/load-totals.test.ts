// Done-when: "reported totals equal the hub's counts". A federation in this process (hub and the four
// national-database nodes on loopback), `ndxp load` with the national mix for 2 s over two worker threads,
// then `ndxp stats` grouped by client: every agency's count, and the total, must be the same.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadCommand } from '../../cli/load-command.js'
import type { JsonReport } from '../../cli/load/report-json.js'
import { statsCommand } from '../../cli/stats-command.js'
import type { StatsResult } from '../../contracts/transaction.js'
import { civilRecordsService, createBirthsService } from '../../lgsp-node/services/civil-status/index.js'
import { healthCardService, insuranceService } from '../../lgsp-node/services/insurance/index.js'
import { certificatesService, parcelsService } from '../../lgsp-node/services/land/index.js'
import { populationService } from '../../lgsp-node/services/population/index.js'
import { HUB_ADMIN_TOKEN, startHub } from '../helpers/hub.js'
import { startNode } from '../helpers/node-app.js'
import { capturedIo } from './run-cli.js'

t.test('reported totals equal the hub\'s counts', async (t) => {
  const population = await startNode(t, [populationService])
  const insurance = await startNode(t, [insuranceService, healthCardService], { memberCode: '000.00.13.G12' })
  const civil = await startNode(t, [civilRecordsService, createBirthsService({})], { memberCode: '000.00.00.G15' })
  const land = await startNode(t, [parcelsService, certificatesService], { memberCode: '000.00.00.G10' })
  const hub = await startHub(t, { population: population.url, insurance: insurance.url, 'civil-status': civil.url, land: land.url })
  const dir = await mkdtemp(join(tmpdir(), 'ndxp-load-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'report.json')

  const io = capturedIo({})
  const code = await loadCommand(['--target', hub.url, '--rate', '40', '--duration', '2s', '--workers', '2', '--seed', 'totals',
    '--json', file, '--threshold', 'errors==0', '--threshold', '429s==0'], io)
  t.equal(code, 0, `${io.stderr.join('\n')}\n${io.stdout.join('\n')}`)
  const report = JSON.parse(await readFile(file, 'utf8')) as JsonReport
  t.ok(report.totals.requests >= 70 && report.totals.requests <= 90, `about 40/s for 2 s: ${report.totals.requests}`)
  t.equal(report.totals.status['5xx'] + report.totals.errors.total, 0, 'the federation answered everything')
  t.ok(report.totals.status['4xx'] > 0, 'the not-found share answered 404')
  t.ok(Object.keys(report.byLabel).length >= 8, `many agencies took part: ${Object.keys(report.byLabel).join(', ')}`)
  t.match(io.stdout.join('\n'), /thresholds: all passed/)

  const stats = capturedIo({})
  t.equal(await statsCommand(['--hub', hub.url, '--admin-token', HUB_ADMIN_TOKEN, '--group-by', 'client', '--json'], stats), 0, stats.stderr.join('\n'))
  const counted = JSON.parse(stats.stdout.join('')) as StatsResult
  const hubByClient = Object.fromEntries(counted.rows.map((row) => [row.client, row.count]))
  const loadByClient = Object.fromEntries(Object.entries(report.byLabel).map(([label, b]) => [label, b.requests]))
  t.strictSame(hubByClient, loadByClient, 'every agency: what the generator sent and saw end is what the hub recorded')
  t.equal(counted.totals.count, report.totals.requests, 'and the totals agree')
})
