// Regression: a node started with NDXP_HUB_URL failed to start (a hook was added after listen).
// A node process registers its URL with a real hub, heartbeats, is reachable through it, and says
// "down" on a graceful stop.
import t from 'tap'
import { request } from 'undici'
import { startHub } from '../helpers/hub.js'
import { testDataset } from '../helpers/node-app.js'
import { spawnCli } from '../helpers/spawn-cli.js'

t.test('a node process registers with the hub, serves through it, and leaves cleanly', async (t) => {
  const hub = await startHub(t, {})
  const node = await spawnCli(['node', '--node', 'population', '--port', '0', '--data-dir', ':memory:'], {
    NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: hub.url, NDXP_HEARTBEAT_MS: '200',
  })
  t.teardown(() => { node.child.kill('SIGKILL') })
  const registered = await hub.store.getNode('population')
  t.equal(registered?.baseUrl, node.url, 'the node advertised its own URL')
  t.equal(registered?.health, 'up')
  await hub.hub.registry.refresh()
  const id = testDataset.population.idAt(4242)
  const through = await request(`${hub.url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${id}`, {
    headers: { authorization: `Bearer ${hub.keys.get('000.00.00.H49')}`, 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH' },
  })
  t.equal(through.statusCode, 200)
  t.match(await through.body.json(), { personalId: id })
  node.child.kill('SIGTERM')
  t.equal(await node.exited, 0, 'a graceful stop')
  t.equal((await hub.store.getNode('population'))?.health, 'down', 'the node said down before it left')
})

t.test('a node whose hub stopped first (Ctrl-C on the whole federation) still stops cleanly, without a warning', async (t) => {
  const hub = await startHub(t, {})
  const node = await spawnCli(['node', '--node', 'population', '--port', '0', '--data-dir', ':memory:'], {
    NDXP_LOG_LEVEL: 'info', NDXP_HUB_URL: hub.url, NDXP_HEARTBEAT_MS: '60000',
  })
  t.teardown(() => { node.child.kill('SIGKILL') })
  t.equal((await hub.store.getNode('population'))?.health, 'up', 'registered while the hub ran')
  await hub.hub.app.close()
  node.child.kill('SIGTERM')
  t.equal(await node.exited, 0, 'a graceful stop')
  const lines = node.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number, msg: string })
  t.ok(lines.some((line) => line.level === 30 && /could not tell the hub this node is stopping/.test(line.msg)), 'says so at info level')
  t.same(lines.filter((line) => line.level >= 40).map((line) => line.msg), [], 'no warning or error')
})
