// Opens what a hub process keeps its state in, from settings: embedded SQLite files for one hub, or
// Redis for replicas that must act as one hub (one registry, one rate limit per agency, one log).
// Either way the transaction writer gets a local spool, so an unreachable store loses no record.
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Settings } from '../common/config.js'
import { connectRedis, RedisKeys } from '../common/redis.js'
import { subscribeRegistryChanges } from '../registry/redis-changes.js'
import { openRedisRegistryStore } from '../registry/redis-store.js'
import { openSqliteRegistryStore } from '../registry/sqlite-store.js'
import type { RegistryStore } from '../registry/store.js'
import type { HubOptions } from './app.js'
import { RedisRateLimiter } from './rate-limit/redis-limiter.js'
import { ReplicaPresence } from './rate-limit/replica-presence.js'
import { ResilientRateLimiter } from './rate-limit/resilient-limiter.js'
import { rateLimitReadiness, registerRateLimitStoreMetrics } from './rate-limit/store-status.js'
import { openRedisTransactionStore } from './transactions/redis-store.js'
import { adoptOrphanedSpools, TransactionSpool } from './transactions/spool.js'
import { openSqliteTransactionStore } from './transactions/sqlite-store.js'
import { openThreadedSqliteTransactionStore } from './transactions/sqlite-threaded-store.js'
import type { TransactionStore } from './transactions/store.js'

/** What buildHub takes from the stores, and how to close them after the hub has flushed. */
export interface HubStores extends Pick<HubOptions, 'limiter' | 'registryChanges' | 'readinessChecks' | 'extendMetrics' | 'spool'> {
  readonly kind: Settings['NDXP_STORE']
  readonly registryStore: RegistryStore
  readonly transactionStore: TransactionStore
  /** After the hub's close: stops presence, closes stores and connections. */
  close: () => Promise<void>
}

export function dataFile (settings: Settings, name: string): string {
  return settings.NDXP_DATA_DIR === ':memory:' ? ':memory:' : join(settings.NDXP_DATA_DIR, name)
}

function spoolFor (settings: Settings, gatewayId: string, logger: FastifyBaseLogger): TransactionSpool | undefined {
  if (settings.NDXP_DATA_DIR === ':memory:') return undefined
  // One directory per replica: two replicas sharing a data directory must not replay each other's file.
  const root = join(settings.NDXP_DATA_DIR, 'spool')
  const dir = join(root, spoolName(gatewayId))
  // The default gateway id holds the pid, so a plain restart comes back under a new one: take over
  // the spools of this host's ended runs (by their default names) rather than leave them undelivered.
  const moved = adoptOrphanedSpools(root, dir, (name) => endedDefaultRun(name))
  if (moved > 0) logger.warn({ segments: moved }, 'delivering the transaction spool of an earlier run of this hub on this host')
  return new TransactionSpool(dir, logger)
}

const spoolName = (gatewayId: string): string => gatewayId.replace(/[^A-Za-z0-9._-]/g, '_')

/** A spool named after this host's default gateway id (`<host>-<pid>`) whose process no longer runs. */
function endedDefaultRun (name: string): boolean {
  const prefix = `${spoolName(hostname())}-`
  if (!name.startsWith(prefix)) return false
  const pid = Number(name.slice(prefix.length))
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false // alive (a replica running beside this one)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

export async function openHubStores (settings: Settings, gatewayId: string, logger: FastifyBaseLogger): Promise<HubStores> {
  const spool = spoolFor(settings, gatewayId, logger)
  if (settings.NDXP_STORE === 'sqlite') {
    const registryStore = await openSqliteRegistryStore({ filename: dataFile(settings, 'registry.db') })
    const filename = dataFile(settings, 'transactions.db')
    // A file's appends run on a writer thread, off the exchanges' event loop; `:memory:` cannot be shared with one.
    const transactionStore = filename === ':memory:'
      ? await openSqliteTransactionStore({ filename })
      : await openThreadedSqliteTransactionStore({ filename })
    return {
      kind: 'sqlite', registryStore, transactionStore, ...(spool && { spool }),
      close: async () => {
        spool?.close()
        await transactionStore.close()
        await registryStore.close()
      },
    }
  }
  return await openRedisStores(settings, gatewayId, logger, spool)
}

async function openRedisStores (settings: Settings, gatewayId: string, logger: FastifyBaseLogger, spool: TransactionSpool | undefined): Promise<HubStores> {
  const url = settings.NDXP_REDIS_URL as string // required with NDXP_STORE=redis (checked with the settings)
  const prefix = settings.NDXP_REDIS_PREFIX
  const keys = new RedisKeys(prefix)
  const opened: Array<() => Promise<unknown>> = []
  const closeAll = async (): Promise<void> => { for (const close of opened.reverse()) await close().catch(() => undefined) }
  try {
    const connection = async (name: string, commandTimeoutMs?: number): Promise<Redis> => {
      const client = await connectRedis({ url, name: `ndxp-${gatewayId}-${name}`, ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }) })
      opened.push(async () => { await client.quit().catch(() => client.disconnect()) })
      return client
    }
    const registryStore = await openRedisRegistryStore({
      url,
      prefix,
      onRegistryLost: ({ lostVersion, restored }) => {
        logger.error({ lostVersion, restored }, restored
          ? 'the registry was missing from Redis (restarted without its data, or flushed?): wrote back this replica\'s copy; changes made after it was read are lost'
          : 'the registry was missing from Redis (restarted without its data, or flushed?): another replica wrote back its copy, which this one now serves')
      },
    })
    opened.push(() => registryStore.close())
    // Own connections: a large stats reply must not delay rate-limit decisions on the request path.
    const transactionStore = await openRedisTransactionStore({ redis: await connection('transactions'), keys })
    opened.push(() => transactionStore.close())
    // On the request path: when Redis hangs, the first requests wait this long before the failure
    // policy takes over (after that they are decided locally at once, until Redis answers again).
    const limiterConnection = await connection('rate-limit', settings.NDXP_RATE_LIMIT_TIMEOUT_MS)
    const presence = new ReplicaPresence({ redis: limiterConnection, keys, gatewayId })
    await presence.start()
    opened.push(() => presence.stop())
    const limiter = new ResilientRateLimiter({
      store: new RedisRateLimiter({ redis: limiterConnection, keys }),
      onFailure: settings.NDXP_RATE_LIMIT_FALLBACK,
      replicas: () => presence.count,
      onChange: (state, error) => {
        if (state.degraded) logger.error({ err: error, failurePolicy: state.failurePolicy, replicas: state.replicas }, 'Redis unreachable: rate limits follow the failure policy')
        else logger.warn({ outages: state.outages }, 'Redis answers again: rate limits are cluster-wide again')
      },
    })
    return {
      kind: 'redis', registryStore, transactionStore, limiter, ...(spool && { spool }),
      registryChanges: (onVersion) => subscribeRegistryChanges({ url, prefix, onError: (error) => { logger.warn({ err: error }, 'registry change announcements interrupted') } }, onVersion),
      readinessChecks: [rateLimitReadiness(limiter)],
      extendMetrics: (registry) => { registerRateLimitStoreMetrics(registry, limiter) },
      close: async () => {
        spool?.close()
        await closeAll()
      },
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
