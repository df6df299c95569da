// Runs the hub as a process: opens its stores (SQLite files under the data directory, or Redis shared
// with other replicas), seeds the default federation, listens, and on SIGTERM/SIGINT drains in-flight
// exchanges, flushes the log (to the store, or to the local spool if the store is down) and closes.
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { pino } from 'pino'
import type { Settings } from '../common/config.js'
import { loggerOptions } from '../common/logging.js'
import { applySeed, defaultSeed, type DevKey } from '../registry/seed.js'
import { buildHub, type Hub } from './app.js'
import { openHubStores } from './stores.js'

export interface RunningHub {
  readonly hub: Hub
  readonly url: string
  readonly devKeys: readonly DevKey[]
  /** Drains in-flight exchanges, flushes the log, then closes the stores (in that order). */
  close: () => Promise<void>
}

export async function startHubServer (settings: Settings, port = settings.NDXP_HUB_PORT): Promise<RunningHub> {
  const gatewayId = settings.NDXP_GATEWAY_ID ?? `${hostname()}-${process.pid}`
  const logger = pino({ ...loggerOptions(settings.NDXP_LOG_LEVEL), base: { component: 'hub', gatewayId } })
  const stores = await openHubStores(settings, gatewayId, logger)
  let hub: Hub
  let seeded: Awaited<ReturnType<typeof applySeed>>
  try {
    // Idempotent, also when replicas seed one Redis at the same moment: what exists is left alone.
    seeded = await applySeed(stores.registryStore, defaultSeed(), { devSecret: settings.NDXP_DEV_SECRET, nodeEnv: settings.NODE_ENV })
    const { kind, registryStore, transactionStore, close: _closeStores, ...wiring } = stores
    hub = await buildHub({
      registryStore,
      transactionStore,
      ...wiring,
      adminToken: settings.NDXP_ADMIN_TOKEN,
      gatewayId,
      userIdSecret: settings.NDXP_USER_ID_SECRET ?? createHash('sha256').update(`user-id:${settings.NDXP_ADMIN_TOKEN}`).digest('hex'),
      heartbeatStaleMs: settings.NDXP_HEARTBEAT_MS * 3,
      registryPollMs: settings.NDXP_REGISTRY_POLL_MS,
      logger,
    })
    logger.info({ store: kind }, 'hub stores open')
  } catch (error) {
    await stores.close()
    throw error
  }
  const close = async (): Promise<void> => {
    // The app's own onClose flushes the writer into the store (or the spool), so the stores close after it.
    try {
      await hub.app.close()
    } finally {
      await stores.close()
    }
  }
  const url = await hub.app.listen({ host: settings.NDXP_HOST, port })
  return { hub, url, devKeys: seeded.keys, close }
}
