// Runs the hub as a process: opens its SQLite stores under the data directory, seeds the default
// federation, listens, and on SIGTERM/SIGINT drains in-flight exchanges and flushes the log.
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { Settings } from '../common/config.js'
import { loggerOptions } from '../common/logging.js'
import { applySeed, defaultSeed, type DevKey } from '../registry/seed.js'
import { openSqliteRegistryStore } from '../registry/sqlite-store.js'
import { buildHub, type Hub } from './app.js'
import { openSqliteTransactionStore } from './transactions/sqlite-store.js'

export interface RunningHub {
  readonly hub: Hub
  readonly url: string
  readonly devKeys: readonly DevKey[]
  /** Drains in-flight exchanges, flushes the log, then closes the stores (in that order). */
  close: () => Promise<void>
}

function dataFile (settings: Settings, name: string): string {
  return settings.NDXP_DATA_DIR === ':memory:' ? ':memory:' : join(settings.NDXP_DATA_DIR, name)
}

export async function startHubServer (settings: Settings, port = settings.NDXP_HUB_PORT): Promise<RunningHub> {
  const logger = pino({ ...loggerOptions(settings.NDXP_LOG_LEVEL), base: { component: 'hub' } })
  const registryStore = await openSqliteRegistryStore({ filename: dataFile(settings, 'registry.db') })
  const transactionStore = await openSqliteTransactionStore({ filename: dataFile(settings, 'transactions.db') })
  const seeded = await applySeed(registryStore, defaultSeed(), { devSecret: settings.NDXP_DEV_SECRET, nodeEnv: settings.NODE_ENV })
  const hub = await buildHub({
    registryStore,
    transactionStore,
    adminToken: settings.NDXP_ADMIN_TOKEN,
    gatewayId: settings.NDXP_GATEWAY_ID ?? `${hostname()}-${process.pid}`,
    userIdSecret: settings.NDXP_USER_ID_SECRET ?? createHash('sha256').update(`user-id:${settings.NDXP_ADMIN_TOKEN}`).digest('hex'),
    heartbeatStaleMs: settings.NDXP_HEARTBEAT_MS * 3,
    logger,
  })
  const close = async (): Promise<void> => {
    // The app's own onClose flushes the writer into the store, so the stores close only after it.
    try {
      await hub.app.close()
    } finally {
      await transactionStore.close()
      await registryStore.close()
    }
  }
  const url = await hub.app.listen({ host: settings.NDXP_HOST, port })
  return { hub, url, devKeys: seeded.keys, close }
}
