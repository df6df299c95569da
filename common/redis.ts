// How every part of the hub connects to Redis and names its keys. One place decides the failure
// behaviour: no offline queue and a command timeout, so that a Redis outage fails requests fast
// instead of parking them in memory until the process dies.
import { createHash } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import { z } from 'zod'

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string
  /** A command not answered within this fails with a timeout error (the caller decides what that means). */
  readonly commandTimeoutMs?: number
  /** For log lines and `CLIENT SETNAME`. */
  readonly name?: string
}

/** A deployment's key prefix: several simulators may share one Redis; keys never collide. */
export const redisPrefixSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1–64 of A-Z a-z 0-9 . _ -')

// Rate-limit bucket names kept as they are in the key: short, no braces, no spaces or control characters.
const READABLE_BUCKET = /^[A-Za-z0-9._:@-]{1,128}$/

/**
 * Key names. Keys a Lua script or transaction touches together share a hash tag (`{…}`), so that on
 * Redis Cluster they land in one slot; unrelated keys (one rate-limit bucket per agency) do not,
 * so that they spread over the cluster.
 */
export class RedisKeys {
  constructor (readonly prefix: string) {
    redisPrefixSchema.parse(prefix)
  }

  /** The registry: one document and its version, changed together. */
  registry (part: string): string { return `${this.prefix}:{registry}:${part}` }
  /** Pub/sub channel announcing a new registry version. */
  get registryChannel (): string { return `${this.prefix}:registry-changed` }
  /** The transaction log: stream, id index and rollups, appended together. */
  transactions (part: string): string { return `${this.prefix}:{transactions}:${part}` }
  /**
   * One rate-limit bucket; the name inside the tag keeps each bucket in its own slot. Bucket names
   * the hub makes (`member:000.00.00.H49`, `grant:<uuid>`) stay readable; any other name (braces
   * that would move the hash tag, newlines, 10 KB strings) is replaced by its digest after `#`, a
   * character readable names never contain, so the two forms cannot collide.
   */
  rateLimit (bucket: string): string {
    // 22 base64url characters are 132 bits: no collision among any number of buckets a hub will see.
    const tag = READABLE_BUCKET.test(bucket) ? bucket : `#${createHash('sha256').update(bucket).digest('base64url').slice(0, 22)}`
    return `${this.prefix}:rl:{${tag}}`
  }
  /** Replica presence (for `local` rate-limit shares and /readyz). */
  replica (gatewayId: string): string { return `${this.prefix}:replica:${gatewayId}` }
  get replicaPattern (): string { return `${this.prefix}:replica:*` }
}

export function redisOptions (options: RedisConnectionOptions): RedisOptions {
  return {
    // Fail at once while disconnected rather than queue: a queued request is a hung request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    enableAutoPipelining: true,
    connectTimeout: 2000,
    // Keep trying to come back, but not in a tight loop.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    lazyConnect: true,
    ...(options.name === undefined ? {} : { connectionName: options.name }),
  }
}

/** Connects, and fails with a clear message when Redis cannot be reached at start. */
export async function connectRedis (options: RedisConnectionOptions): Promise<Redis> {
  const client = new Redis(options.url, redisOptions(options))
  // Errors while reconnecting are reported through readiness and metrics, not as unhandled events.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new Error(`Cannot connect to Redis at ${redactUrl(options.url)}: ${(error as Error).message}. Check --redis-url (NDXP_REDIS_URL) and that Redis runs.`, { cause: error })
  }
  return client
}

/** The URL without its password, for messages and logs. */
export function redactUrl (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}
