// docker-compose.yml, checked and run without Docker: every service's command and environment must
// be what `ndxp` accepts and every URL must name a service and the port it listens on; then the same
// topology starts as processes (same commands, same environment, hosts and ports mapped onto
// loopback) and the README's call through the sample LGSP returns a record that both replicas count.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { parse } from 'yaml'
import { settingsSchema } from '../../common/config.js'
import { testDataset } from '../helpers/node-app.js'
import { freePort, startRedis } from '../helpers/redis-server.js'
import { spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js'

// Eight processes start; on a busy two-core machine that takes a while.
t.setTimeout(300_000)

interface ComposeService {
  image?: string
  command?: string[]
  environment?: Record<string, string | number>
  depends_on?: Record<string, { condition: string }>
  ports?: string[]
}

const root = fileURLToPath(new URL('../../', import.meta.url))
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
const services = compose.services
const ndxpServices = Object.entries(services).filter(([, s]) => s.image === 'ndxp-sim:local')
const knownCommands = new Set(['up', 'gateway', 'node', 'balance', 'lgsp'])
const knownVariables = new Set([...Object.keys(settingsSchema.shape), 'HEALTH_URL'])
/** What the .env beside the compose file would hold. */
const dotEnv: Record<string, string> = { NDXP_ADMIN_TOKEN: 'compose-test-admin-token', NDXP_DEV_SECRET: 'compose-test-dev-secret-0123456789' }

/** `${VAR:?message}`, `${VAR:-default}` and `${VAR}` as compose interpolates them. */
function interpolate (value: string | number): string {
  return String(value).replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
    const set = dotEnv[name]
    if (set !== undefined) return set
    if (kind === '-') return rest ?? ''
    throw new Error(`${name} is required by the compose file (${rest ?? ''}) and not set`)
  })
}

const portOf = (service: ComposeService): number => {
  const args = service.command ?? []
  const at = args.indexOf('--port')
  if (at >= 0) return Number(args[at + 1])
  return service.image?.startsWith('redis') === true ? 6379 : 8080
}
const urlsIn = (text: string): URL[] => [...text.matchAll(/\b(?:https?|redis):\/\/[^\s"']+/g)].map((m) => new URL(m[0]))

t.test('the compose file is consistent with what the commands accept', async (t) => {
  t.ok(services.redis?.image?.startsWith('redis:'), 'a Redis service')
  t.ok(services.redis?.command?.includes('--appendonly'), 'Redis keeps its data across restarts')
  const hubs = ndxpServices.filter(([, s]) => s.command?.[0] === 'gateway')
  t.ok(hubs.length >= 2, `two or more hub replicas (${hubs.length})`)
  t.ok(ndxpServices.some(([, s]) => s.command?.[0] === 'balance'), 'a load balancer')
  t.ok(ndxpServices.some(([, s]) => s.command?.[0] === 'lgsp'), 'a sample LGSP')
  t.same(ndxpServices.filter(([, s]) => s.command?.[0] === 'node').map(([, s]) => s.command?.[2]).sort(), ['civil-status', 'insurance', 'land', 'population'])
  for (const [name, service] of ndxpServices) {
    t.ok(knownCommands.has(service.command?.[0] ?? ''), `${name}: ${service.command?.[0] ?? '(none)'} is an ndxp command`)
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v)]))
    for (const variable of Object.keys(env)) t.ok(knownVariables.has(variable), `${name}: ${variable} is a setting ndxp reads`)
    const health = env.HEALTH_URL
    t.ok(health !== undefined && new URL(health).port === String(portOf(service)), `${name}: its healthcheck probes the port it listens on`)
    for (const mapping of service.ports ?? []) t.equal(mapping.split(':')[1], String(portOf(service)), `${name}: published port ${mapping} is the one it listens on`)
    for (const dependency of Object.keys(service.depends_on ?? {})) t.ok(services[dependency], `${name}: depends on ${dependency}, which exists`)
    const texts = [...(service.command ?? []), ...Object.entries(env).filter(([k]) => k !== 'HEALTH_URL').map(([, v]) => v)]
    for (const url of texts.flatMap(urlsIn)) {
      const target = services[url.hostname]
      t.ok(target, `${name}: ${url.href} names a service`)
      if (target !== undefined) t.equal(Number(url.port), portOf(target), `${name}: ${url.href} uses the port ${url.hostname} listens on`)
    }
    if (service.command?.[0] === 'gateway') {
      t.equal(env.NDXP_STORE, 'redis', `${name}: replicas share Redis`)
      t.ok(env.NDXP_GATEWAY_ID, `${name}: each replica is named in the records it writes`)
    }
  }
  const ids = hubs.map(([, s]) => interpolate(s.environment?.NDXP_GATEWAY_ID ?? ''))
  t.equal(new Set(ids).size, ids.length, 'replica ids are distinct')
  const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8')
  t.match(dockerfile, /ENTRYPOINT \["node", "dist\/cli\/ndxp.js"\]/, 'the image runs ndxp, so compose commands are ndxp arguments')
  t.match(dockerfile, /USER node/, 'non-root')
  t.match(dockerfile, /HEALTHCHECK/, 'with a healthcheck')
})

t.test('the same topology as processes: the README call through the LGSP returns a record, counted on every replica', async (t) => {
  const redis = await startRedis(t, { appendOnly: true })
  const dataRoot = t.testdir({})
  const local = new Map<string, number>([['redis', redis.port]])
  for (const [name] of ndxpServices) local.set(name, await freePort())
  // Compose's service names and ports, mapped onto this machine's loopback.
  const mapUrls = (text: string): string => text.replace(/\b(https?|redis):\/\/([a-z0-9-]+):(\d+)/g, (all, scheme: string, host: string) => {
    const port = local.get(host)
    return port === undefined ? all : `${scheme}://127.0.0.1:${port}`
  })
  const started = new Map<string, SpawnedCli>()
  t.teardown(async () => {
    for (const process of started.values()) process.child.kill('SIGTERM')
    const forced = setTimeout(() => { for (const process of started.values()) process.child.kill('SIGKILL') }, 15_000)
    await Promise.all([...started.values()].map((p) => p.exited))
    clearTimeout(forced)
  })
  const start = async (name: string, service: ComposeService, attempt = 1): Promise<void> => {
    const args = (service.command ?? []).map(mapUrls)
    const at = args.indexOf('--port')
    if (at >= 0) args[at + 1] = String(local.get(name))
    const env: Record<string, string> = {
      // What docker/Dockerfile sets, with the data directory per service as each has its own volume.
      NODE_ENV: 'production', NDXP_HOST: '127.0.0.1', NDXP_DATA_DIR: join(dataRoot, name), NDXP_LOG_LEVEL: 'warn',
      NDXP_HUB_URL: '', NDXP_STORE: '', NDXP_REDIS_URL: '',
    }
    for (const [key, value] of Object.entries(service.environment ?? {})) env[key] = mapUrls(interpolate(value))
    // The compiled CLI, as the image runs it (and eight TypeScript compilations at once would be slow).
    try {
      started.set(name, await spawnCli(args, env, undefined, { built: true }))
    } catch (error) {
      // A free port found earlier can be taken meanwhile (another test's connection, say): take another.
      if (attempt >= 3 || !/is in use by another process/.test((error as Error).message)) throw error
      local.set(name, await freePort())
      await start(name, service, attempt + 1)
    }
  }
  // In depends_on order; what may start together does. Every process that started is in `started`
  // before a failure is thrown, so that the teardown stops it.
  const waves = [['gateway'], ['balance'], ['node', 'lgsp']]
  for (const wave of waves) {
    const outcomes = await Promise.allSettled(ndxpServices.filter(([, s]) => wave.includes(s.command?.[0] ?? '')).map(([name, s]) => start(name, s)))
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  }
  const hubUrls = ndxpServices.filter(([, s]) => s.command?.[0] === 'gateway').map(([name]) => `http://127.0.0.1:${local.get(name) ?? 0}`)
  const admin = { authorization: `Bearer ${dotEnv.NDXP_ADMIN_TOKEN ?? ''}` }

  // Nodes registered through the balancer; every replica sees their public (compose) URLs.
  for (const hub of hubUrls) {
    const nodes = await (await request(`${hub}/v1/registry/nodes`, { headers: admin })).body.json() as { items: Array<{ id: string, baseUrl: string }> }
    const population = nodes.items.find((n) => n.id === 'population')
    t.equal(population?.baseUrl, `http://127.0.0.1:${local.get('population') ?? 0}`, `${hub} routes to the population node it registered`)
  }

  const lgsp = `http://127.0.0.1:${local.get('lgsp-quang-ninh') ?? 0}`
  const personalId = testDataset.population.idAt(12_345_678)
  const answer = await request(`${lgsp}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/${personalId}`)
  const body = await answer.body.text()
  t.equal(answer.statusCode, 200, `the README's call returns a record: ${body.slice(0, 300)}`)
  t.match(JSON.parse(body) as unknown, { personalId }, 'the citizen asked for')
  t.equal(answer.headers['x-road-client'] ?? 'VN/GOV/000.00.00.H49/DVCTINH', 'VN/GOV/000.00.00.H49/DVCTINH')
  // The LGSP lends the province's key to exchanges only: through it, the hub's node API stays closed.
  const rogue = await request(`${lgsp}/v1/nodes/rogue-node/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ baseUrl: 'http://203.0.113.7' }) })
  t.equal(rogue.statusCode, 404, 'management calls are not forwarded with the agency\'s key')
  t.match(await rogue.body.json(), { type: 'client.unknown_route', detail: /forwards only \/r1\// })

  for (const hub of hubUrls) {
    let count = 0
    for (let attempt = 0; attempt < 40 && count === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100))
      const stats = await (await request(`${hub}/v1/stats?interval=total&groupBy=client`, { headers: admin })).body.json() as { rows: Array<{ client: string, count: number }> }
      count = stats.rows.find((r) => r.client === 'VN/GOV/000.00.00.H49/DVCTINH')?.count ?? 0
    }
    t.equal(count, 1, `${hub} counts the LGSP's exchange once, whichever replica served it`)
  }
})
