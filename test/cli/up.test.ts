// `ndxp up` as a newcomer runs it: flags reach every component, the printed calls work at any
// population size, and whatever stops it stops every component with it.
import { connect, createServer } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js'

/** A run of `count` free consecutive ports (the nodes listen at NDXP_NODE_PORT_BASE + 0…3). */
async function freePorts (count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768 up), where outgoing connections take their ports.
    const base = 20_000 + Math.floor(Math.random() * 12_000)
    const servers = []
    try {
      for (let i = 0; i < count; i++) {
        const server = createServer()
        await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(base + i, '127.0.0.1', resolve) })
        servers.push(server)
      }
      return base
    } catch {
      continue
    } finally {
      for (const server of servers) server.close()
    }
  }
  throw new Error('no run of free ports')
}

/** Which of the federation's ports (hub, then the four nodes) still accept connections. */
async function listening (base: number): Promise<number[]> {
  const open = await Promise.all([0, 1, 2, 3, 4].map((i) => new Promise<boolean>((resolve) => {
    const socket = connect(base + i, '127.0.0.1', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })))
  return open.flatMap((isOpen, i) => isOpen ? [base + i] : [])
}

/** `ndxp up` on free ports; ports found free may be taken before it listens (another test's connection), so then again. */
async function upOnFreePorts (args: string[], dataDir: string): Promise<{ up: SpawnedCli, base: number }> {
  for (let attempt = 1; ; attempt++) {
    const base = await freePorts(5)
    try {
      const up = await spawnCli(['up', ...args, '--data-dir', dataDir],
        { NDXP_HUB_PORT: String(base), NDXP_NODE_PORT_BASE: String(base + 1), NDXP_HOST: '127.0.0.1', NDXP_LOG_LEVEL: 'warn' },
        /Ctrl-C stops everything (gracefully)/, { built: true })
      return { up, base }
    } catch (error) {
      if (attempt >= 3 || !/is in use by another process/.test((error as Error).message)) throw error
    }
  }
}

t.test('a small population, flags for the components, and a clean stop', async (t) => {
  const dataDir = t.testdir({})
  const { up, base } = await upOnFreePorts(['--population', '5000', '--log-level', 'info'], dataDir)
  t.teardown(() => { if (up.child.exitCode === null) up.child.kill('SIGKILL') })
  const output = up.output()
  const call = /curl -s (\S+) -H 'Authorization: Bearer (\S+)' -H 'X-Road-Client: (\S+)'/.exec(output)
  t.ok(call, 'the banner prints ready-to-paste calls at a population of 5000')
  const answer = await request(call?.[1] as string, { headers: { authorization: `Bearer ${call?.[2] as string}`, 'x-road-client': call?.[3] as string } })
  t.equal(answer.statusCode, 200, 'and the first one answers with a record')
  await answer.body.dump()
  t.match(up.output(), /"level":30/, '--log-level info reached the components (the variable said warn)')
  t.same(await listening(base), [base, base + 1, base + 2, base + 3, base + 4], 'hub and four nodes listen')
  up.child.kill('SIGTERM')
  t.equal(await up.exited, 0)
  t.same(await listening(base), [], 'none left behind')
})

t.test('a component that cannot start stops the federation, leaving nothing running', async (t) => {
  const base = await freePorts(5)
  const dataDir = t.testdir({})
  const up = spawnCli(['up', '--store', 'redis', '--redis-url', 'redis://127.0.0.1:1', '--data-dir', dataDir],
    { NDXP_HUB_PORT: String(base), NDXP_NODE_PORT_BASE: String(base + 1), NDXP_HOST: '127.0.0.1' }, /never printed/, { built: true })
  const error = await up.then(() => undefined, (e: unknown) => e as Error)
  t.match(error?.message, /exited with 1 before listening/, '--store redis reached the hub, which could not reach Redis')
  t.match(error?.message, /ndxp up: hub exited with code \d+ before it was ready; stopping the rest/)
  t.same(await listening(base), [], 'none left behind')
})
