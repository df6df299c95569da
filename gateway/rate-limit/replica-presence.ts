// How many hub replicas share the Redis: each refreshes a key of its own with a short TTL and counts
// the keys that are still alive. While Redis is down the last count stands — that is exactly what the
// `local` failure policy needs, to limit each replica at its share of an agency's policy.
import type { Redis } from 'ioredis'
import type { RedisKeys } from '../../common/redis.js'

export interface ReplicaPresenceOptions {
  /** A connection made by connectRedis; the caller closes it after stop(). */
  readonly redis: Redis
  readonly keys: RedisKeys
  /** This replica's id; two replicas with one id count as one. */
  readonly gatewayId: string
  /** Default 1000 ms. */
  readonly refreshMs?: number
  /** Default 3000 ms: a replica missing three refreshes in a row is gone. */
  readonly ttlMs?: number
}

export class ReplicaPresence {
  private readonly options: ReplicaPresenceOptions
  private readonly key: string
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private lastCount = 1
  private lastOkAt: number | undefined

  constructor (options: ReplicaPresenceOptions) {
    this.options = options
    this.key = options.keys.replica(options.gatewayId)
  }

  /** Live replicas including this one, as of the last refresh that reached Redis (1 before any). */
  get count (): number { return this.lastCount }
  /** When a refresh last reached Redis (epoch ms). */
  get lastRefreshAt (): number | undefined { return this.lastOkAt }

  /** Announces this replica and counts the others before returning, then keeps doing so. */
  async start (): Promise<void> {
    await this.refresh()
    this.timer ??= setInterval(() => { void this.refresh() }, this.options.refreshMs ?? 1000)
    this.timer.unref()
  }

  /** One refresh; never rejects (a failure keeps the last count). Overlapping calls share one run. */
  refresh (): Promise<void> {
    this.running ??= this.announceAndCount().finally(() => { this.running = undefined })
    return this.running
  }

  /** Stops refreshing and withdraws this replica at once, so the others' shares grow without waiting for the TTL. */
  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
    await this.options.redis.del(this.key).catch(() => {})
  }

  private async announceAndCount (): Promise<void> {
    const { redis, keys } = this.options
    try {
      await redis.set(this.key, String(Date.now()), 'PX', this.options.ttlMs ?? 3000)
      // SCAN, not KEYS: it never blocks Redis, however many rate-limit keys share the keyspace.
      // It may return a key twice, hence the set.
      const live = new Set<string>([this.key])
      let cursor = '0'
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', keys.replicaPattern, 'COUNT', 1000)
        for (const key of found) live.add(key)
        cursor = next
      } while (cursor !== '0')
      this.lastCount = live.size
      this.lastOkAt = Date.now()
    } catch {
      // Redis is down or slow: the limiter reports the outage; the last count is still the best guess.
    }
  }
}
