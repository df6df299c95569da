// The same seed gives the same national data in every process: a node started as a separate process
// answers exactly what this process generates, and another seed answers differently.
import t, { type Test } from 'tap'
import { request } from 'undici'
import { NationalDataset } from '../../lgsp-node/data/dataset.js'
import { generatedCitizen } from '../../lgsp-node/services/population/records.js'
import { spawnCli } from '../helpers/spawn-cli.js'

async function startPopulation (t: Test, seed: string) {
  const node = await spawnCli(['node', '--node', 'population', '--port', '0', '--seed', seed, '--data-dir', ':memory:'], { NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: '' })
  t.teardown(async () => {
    node.child.kill('SIGTERM')
    await node.exited
  })
  return node.url
}

t.test('another process with the same seed answers identically; another seed differs', async (t) => {
  const here = new NationalDataset('determinism-seed')
  const [same, other] = await Promise.all([startPopulation(t, 'determinism-seed'), startPopulation(t, 'another-seed')])
  let differing = 0
  for (let i = 0; i < 40; i++) {
    const index = (i * 2_345_677) % here.size
    const expected = generatedCitizen(here, index, '63').citizen
    const response = await request(`${same}/citizens/${expected.personalId}`)
    t.same(await response.body.json(), JSON.parse(JSON.stringify(expected)), `citizen ${index}`)
    const elsewhere = await request(`${other}/citizens/${expected.personalId}`)
    const body = await elsewhere.body.json() as { fullName?: string }
    if (elsewhere.statusCode === 404 || body.fullName !== expected.fullName) differing++
  }
  t.ok(differing >= 35, `another seed gives other people (${differing} of 40 differ)`)
})
