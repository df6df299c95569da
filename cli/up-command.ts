// `ndxp up`: the whole federation, one process per component (as docker-compose runs them), printing
// where each listens once all are ready; a signal stops them all gracefully.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { NationalDataset } from '../lgsp-node/data/dataset.js'
import { nationalNodes } from '../lgsp-node/national-nodes.js'
import type { DevKey } from '../registry/seed.js'
import { sampleCurlCalls } from './sample-calls.js'
import { parseCommand } from './options.js'
import type { Settings } from '../common/config.js'

interface Component {
  name: string
  args: string[]
  child?: ChildProcess
  url?: string
  devKeys?: DevKey[]
}

const cliPath = fileURLToPath(new URL('./ndxp.js', import.meta.url))

function startComponent (component: Component, env: NodeJS.ProcessEnv): Promise<string> {
  // A component reports {type:'listening', url} over IPC once it accepts connections.
  return new Promise((resolve, reject) => {
    const child = fork(cliPath, component.args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    component.child = child
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${component.name} exited with code ${code} before it was ready`)))
    child.on('message', (message: { type?: string, url?: string, devKeys?: DevKey[] }) => {
      if (message.devKeys !== undefined) component.devKeys = message.devKeys
      if (message.type === 'listening' && message.url !== undefined) resolve(message.url)
    })
  })
}

async function stopAll (components: Component[]): Promise<void> {
  await Promise.all(components.map((component) => new Promise<void>((resolve) => {
    const child = component.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })))
}

export async function runUp (args: string[]): Promise<void> {
  const { settings, overrides } = parseCommand(args, {}, {
    port: 'the federation listens on NDXP_HUB_PORT (hub, default 8080) and NDXP_NODE_PORT_BASE (nodes, default 8101 up)',
  })
  const hubUrl = `http://${settings.NDXP_HOST}:${settings.NDXP_HUB_PORT}`
  // Every setting given as a flag reaches the components as the variable it stands for.
  const env = {
    ...process.env,
    ...overrides,
    NDXP_LOG_LEVEL: overrides.NDXP_LOG_LEVEL ?? process.env.NDXP_LOG_LEVEL ?? 'warn',
    NDXP_DATA_DIR: settings.NDXP_DATA_DIR,
    NDXP_DATASET_SEED: settings.NDXP_DATASET_SEED,
    NDXP_POPULATION: String(settings.NDXP_POPULATION),
    NDXP_ADMIN_TOKEN: settings.NDXP_ADMIN_TOKEN,
    NDXP_HOST: settings.NDXP_HOST,
    NDXP_HUB_URL: settings.NDXP_HUB_URL ?? hubUrl,
  }
  const hub: Component = { name: 'hub', args: ['gateway'] }
  const nodes: Component[] = nationalNodes.map((node) => ({ name: `${node.id} node`, args: ['node', '--node', node.id] }))
  const components: Component[] = [hub, ...nodes]
  let stopping = false
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    await stopAll(components)
    process.exit(code)
  }
  process.on('SIGINT', () => { void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  try {
    // The hub first: nodes register with it as they start.
    hub.url = await startComponent(hub, env)
    await Promise.all(nodes.map(async (component) => { component.url = await startComponent(component, env) }))
  } catch (error) {
    console.error(`ndxp up: ${(error as Error).message}; stopping the rest`)
    await shutdown(1)
    return
  }
  for (const component of components) {
    component.child?.once('exit', (code) => {
      if (!stopping) {
        console.error(`ndxp up: ${component.name} stopped unexpectedly (code ${code}); stopping the federation`)
        void shutdown(1)
      }
    })
  }
  try {
    printBanner(components, settings, hub, hubUrl)
  } catch (error) {
    console.error(`ndxp up: ${(error as Error).message}; stopping the federation`)
    await shutdown(1)
  }
}

function printBanner (components: Component[], settings: Settings, hub: Component, hubUrl: string): void {
  const width = Math.max(...components.map((c) => c.name.length))
  console.log('ndxp federation is up:')
  for (const component of components) console.log(`  ${component.name.padEnd(width)}  ${component.url}  (OpenAPI: ${component.url}/docs)`)
  console.log(`\nadmin token (development): ${settings.NDXP_ADMIN_TOKEN}`)
  console.log('development keys of the sample agencies (Authorization: Bearer <key>):')
  for (const key of (hub.devKeys ?? []).filter((k) => k.active)) console.log(`  ${key.memberCode.padEnd(15)} ${key.key}  ${key.memberName}`)
  console.log('\ntry (through the hub):')
  for (const line of sampleCurlCalls(hub.url ?? hubUrl, hub.devKeys ?? [], new NationalDataset(settings.NDXP_DATASET_SEED, settings.NDXP_POPULATION))) console.log(`  ${line}`)
  console.log(`\ncounts: curl -s '${hub.url ?? hubUrl}/v1/stats?groupBy=service' -H 'Authorization: Bearer ${settings.NDXP_ADMIN_TOKEN}'`)
  console.log('Ctrl-C stops everything gracefully.')
}
