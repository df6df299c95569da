// `ndxp up`: the whole federation, one process per component (as docker-compose runs them), printing
// where each listens once all are ready; a signal stops them all gracefully.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { nationalNodes } from '../lgsp-node/national-nodes.js'
import { parseCommand } from './options.js'

interface Component {
  name: string
  args: string[]
  child?: ChildProcess
  url?: string
}

const cliPath = fileURLToPath(new URL('./ndxp.js', import.meta.url))

function startComponent (component: Component, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(cliPath, component.args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    component.child = child
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${component.name} exited with code ${code} before it was ready`)))
    child.on('message', (message: { type?: string, url?: string }) => {
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
  const { settings } = parseCommand(args)
  const env = { ...process.env, NDXP_LOG_LEVEL: process.env.NDXP_LOG_LEVEL ?? 'warn', NDXP_DATA_DIR: settings.NDXP_DATA_DIR, NDXP_DATASET_SEED: settings.NDXP_DATASET_SEED, NDXP_POPULATION: String(settings.NDXP_POPULATION), NDXP_ADMIN_TOKEN: settings.NDXP_ADMIN_TOKEN, NDXP_HOST: settings.NDXP_HOST }
  const components: Component[] = nationalNodes.map((node) => ({ name: `${node.id} node`, args: ['node', '--node', node.id] }))
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
    await Promise.all(components.map(async (component) => { component.url = await startComponent(component, env) }))
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
  const width = Math.max(...components.map((c) => c.name.length))
  console.log('ndxp federation is up:')
  for (const component of components) console.log(`  ${component.name.padEnd(width)}  ${component.url}  (OpenAPI: ${component.url}/docs)`)
  console.log(`admin token (development): ${settings.NDXP_ADMIN_TOKEN}`)
  console.log('Ctrl-C stops everything gracefully.')
}
