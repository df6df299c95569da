// Change notification for the Redis registry: each replica hears of a new registry version when it is
// committed, so its caches follow an admin change at once without asking Redis on every request.
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { connectRedis, redactUrl, redisOptions, redisPrefixSchema } from '../common/redis.js'
import { NdxpError } from '../contracts/errors.js'
import { quote } from '../contracts/registry.js'
import { registryKeys } from './redis-store.js'
import { parseInput } from './store.js'

export interface RegistryChangeOptions {
  /** The Redis the registry store uses (`redis://…`). */
  readonly url: string
  /** The registry store's key prefix. */
  readonly prefix: string
  readonly commandTimeoutMs?: number
  /** Told about failures while catching up after a reconnect (they are retried on their own); for logs. */
  readonly onError?: (error: unknown) => void
}

export interface RegistrySubscription {
  /** Idempotent; no call to onVersion follows it. */
  close (): Promise<void>
}

/**
 * Calls `onVersion` with every registry version committed from now on, and with the current version
 * once subscribed and again after each reconnect (what changed while disconnected is not announced
 * again). Around a reconnect a version may repeat or arrive after a later one, and after Redis lost its
 * data versions start again from 0: treat each call as "the registry may be at this version now" and
 * reload when it differs from the one loaded. Uses two connections: a subscribed connection can
 * run no other command.
 */
export async function subscribeRegistryChanges (options: RegistryChangeOptions, onVersion: (version: number) => void): Promise<RegistrySubscription> {
  const keys = registryKeys(parseInput(redisPrefixSchema, options.prefix, 'Redis key prefix'))
  const connection = { url: options.url, ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }) }
  const report = (error: unknown): void => { options.onError?.(error) }
  let closed = false
  let generation = 0
  const deliver = (raw: string | null): void => {
    if (closed) return
    if (raw !== null && !/^\d{1,15}$/.test(raw)) return report(new Error(`Ignored registry version ${quote(raw)}: not a whole number.`))
    try {
      onVersion(raw === null ? 0 : Number(raw))
    } catch (error) {
      report(error)
    }
  }

  let reader: Redis | undefined
  const subscriber = new Redis(options.url, { ...redisOptions({ ...connection, name: 'ndxp-registry-changes' }), autoResubscribe: false })
  subscriber.on('error', () => {}) // reconnection is ioredis's job; failures to catch up are reported below
  subscriber.on('message', (channel: string, message: string) => { if (channel === keys.channel) deliver(message) })

  // Subscribe first, then read the version: a change in between is announced and read, never neither.
  // A newer (re)connection supersedes an older one still trying to read the version.
  const catchUp = async (): Promise<void> => {
    const mine = ++generation
    await subscriber.subscribe(keys.channel)
    for (let attempt = 0; !closed && mine === generation; attempt++) {
      try {
        const version = await (reader as Redis).get(keys.version)
        if (mine === generation) deliver(version)
        return
      } catch (error) {
        if (attempt === 0) report(error)
        await sleep(Math.min(500, 25 * 2 ** attempt), undefined, { ref: false })
      }
    }
  }

  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    subscriber.disconnect()
    await reader?.quit().catch(() => reader?.disconnect())
  }
  try {
    reader = await connectRedis({ ...connection, name: 'ndxp-registry-version' })
    await subscriber.connect()
    await catchUp()
  } catch (error) {
    await close()
    throw new NdxpError('server.store_unavailable', `Cannot subscribe to registry changes in Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error })
  }
  subscriber.on('ready', () => { catchUp().catch(report) })
  return { close }
}
