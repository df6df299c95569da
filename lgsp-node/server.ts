// Runs one national-database node as a process: builds it from settings, listens, and on SIGTERM or
// SIGINT stops accepting, lets in-flight requests finish and closes the overlay before exiting.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import type { Settings } from '../common/config.js'
import { loggerOptions } from '../common/logging.js'
import { deriveDevApiKey } from '../registry/keys.js'
import { buildNodeApp } from './app.js'
import { HubLink } from './hub-link.js'
import { parseFaultRules } from './faults/config.js'
import { NationalDataset } from './data/dataset.js'
import type { NodeDefinition } from './national-nodes.js'
import { Overlay } from './overlay.js'
import type { ZodApp } from './service.js'

export interface RunningNode {
  readonly app: ZodApp
  readonly url: string
}

export async function startNodeServer (definition: NodeDefinition, settings: Settings, port = settings.NDXP_NODE_PORT_BASE + definition.portOffset): Promise<RunningNode> {
  const logger = pino({ ...loggerOptions(settings.NDXP_LOG_LEVEL), base: { node: definition.id } })
  const app = await buildNodeApp({
    nodeId: definition.id,
    memberCode: definition.memberCode,
    title: definition.title,
    services: definition.services,
    keySources: definition.keySources,
    dataset: new NationalDataset(settings.NDXP_DATASET_SEED, settings.NDXP_POPULATION),
    overlay: new Overlay(settings.NDXP_DATA_DIR === ':memory:' ? ':memory:' : join(settings.NDXP_DATA_DIR, `${definition.id}-overlay.db`)),
    adminToken: settings.NDXP_ADMIN_TOKEN,
    faultRules: loadFaultRules(settings.NDXP_FAULTS),
    logger,
  })
  let link: HubLink | undefined
  // Hooks must be added before listening. preClose runs before in-flight requests drain: the hub
  // hears "down" and stops routing here first.
  app.addHook('preClose', async () => { await link?.stop() })
  const url = await app.listen({ host: settings.NDXP_HOST, port })
  if (settings.NDXP_HUB_URL !== undefined) {
    link = new HubLink({
      hubUrl: settings.NDXP_HUB_URL,
      nodeId: definition.id,
      baseUrl: settings.NDXP_NODE_PUBLIC_URL ?? url,
      apiKey: settings.NDXP_NODE_API_KEY ?? deriveDevApiKey(settings.NDXP_DEV_SECRET, definition.memberCode),
      intervalMs: settings.NDXP_HEARTBEAT_MS,
      logger: app.log,
    })
    await link.start()
  }
  return { app, url }
}

/** NDXP_FAULTS / --faults: a JSON array of rules, or @path to a file holding one. */
function loadFaultRules (setting: string | undefined) {
  if (setting === undefined || setting.trim() === '') return []
  if (setting.startsWith('@')) return parseFaultRules(readFileSync(setting.slice(1), 'utf8'), setting.slice(1))
  return parseFaultRules(setting, 'NDXP_FAULTS')
}

/**
 * Closes the app once on the first SIGTERM/SIGINT; the same signal again exits at once. Another
 * signal while closing is ignored: Ctrl-C in a terminal reaches every process of the group, and a
 * supervisor (`ndxp up`) passing on its own SIGTERM must not cut the drain it is waiting for.
 */
export function closeOnSignals (close: () => Promise<void>, log: { info: (message: string) => void, error: (message: string) => void }): void {
  let first: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first !== undefined) {
      if (signal !== first) return
      log.error(`${signal} again: exiting without draining; records not yet written are lost`)
      process.exit(130)
    }
    first = signal
    log.info(`${signal}: draining and closing`)
    close().then(() => process.exit(0), (error: unknown) => {
      log.error(`close failed: ${String(error)}`)
      process.exit(1)
    })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
