// The shared transaction log: records in a capped Redis stream, per-minute/hour/day rollups in Redis,
// so that every hub replica appends to and answers from the same log. One Lua script per call.
import type { Redis } from 'ioredis'
import { z } from 'zod'
import type { RedisKeys } from '../../common/redis.js'
import { NdxpError } from '../../contracts/errors.js'
import type { StatsQuery, StatsResult, TransactionPage, TransactionQuery, TransactionRecord } from '../../contracts/transaction.js'
import { parseInput } from '../../registry/store.js'
import { appendArguments, distinctById, type AppendSettings } from './redis-append.js'
import { APPEND_LUA } from './redis-append-script.js'
import {
  DEFAULT_HOUR_RETENTION_MS, DEFAULT_MAX_TRANSACTIONS, DEFAULT_MINUTE_RETENTION_MS, DEFAULT_ROLLUP_ROWS_PER_READ,
  DEFAULT_SCAN_LIMIT, TUPLE_GENERATION, TransactionKeys, decodeTuple, type Tuple,
} from './redis-layout.js'
import { GET_LUA, QUERY_LUA, queryArguments, toPage } from './redis-query.js'
import { COMPLETE, STATS_LUA, readStats, type Horizons } from './redis-stats.js'
import { viewFor } from './rollup.js'
import { checkRecords, resolveStatsQuery, storeClosed, type TransactionStore, type TransactionStoreOptions } from './store.js'

export interface RedisTransactionStoreOptions extends TransactionStoreOptions {
  /**
   * A connection made by `connectRedis` (no offline queue, a command timeout, reconnecting); the store
   * does not close it. A connection of its own keeps large stats replies from delaying other users.
   */
  redis: Redis
  /** The deployment's key names; the log uses `keys.transactions(…)`. */
  keys: RedisKeys
  /** Rows kept (default 1,000,000: about 1.1 GB of Redis memory); the oldest by requestInTs go first. */
  maxTransactions?: number
  /** Rollup rows not written for this long are deleted: minutes after 8 days, hours after 400; days stay. */
  rollupRetention?: { minuteMs?: number, hourMs?: number }
  /** Records a filtered page examines at most before answering with what it found and a cursor (default 10,000). */
  scanLimit?: number
  /** Rollup rows per stats read; a larger answer takes several round trips (default 20,000). */
  rollupRowsPerRead?: number
}

const optionsSchema = z.object({
  maxTransactions: z.number().int().min(1).max(1e9).optional(),
  minuteMs: z.number().int().min(1).optional(),
  hourMs: z.number().int().min(1).optional(),
  scanLimit: z.number().int().min(1).max(1_000_000).optional(),
  rollupRowsPerRead: z.number().int().min(1).max(1_000_000).optional(),
})

const MIN_REDIS_MAJOR = 5
const MAX_CACHED_TUPLES = 100_000

interface Scripts {
  ndxpTransactionsAppend (...args: string[]): Promise<number | string[]>
  ndxpTransactionsGet (...args: string[]): Promise<string | null>
  ndxpTransactionsQuery (...args: string[]): Promise<Array<string | null>>
  ndxpTransactionsStats (...args: string[]): Promise<unknown[]>
}

/** Checks the options and the server (Redis ≥ 5: streams); rejects with server.store_unavailable if Redis cannot be reached. */
export async function openRedisTransactionStore (options: RedisTransactionStoreOptions): Promise<TransactionStore> {
  parseInput(optionsSchema, {
    maxTransactions: options.maxTransactions, ...options.rollupRetention, scanLimit: options.scanLimit, rollupRowsPerRead: options.rollupRowsPerRead,
  }, 'transaction store options')
  const redis = options.redis
  let info: string
  try {
    info = await redis.info('server')
  } catch (error) {
    throw unavailable(redis, error)
  }
  const version = /redis_version:(\d+)/.exec(info)?.[1]
  if (version !== undefined && Number(version) < MIN_REDIS_MAJOR) {
    throw new NdxpError('server.store_unavailable', `The transaction log needs Redis ${MIN_REDIS_MAJOR} or later (streams); this server is ${version}. Upgrade Redis or use the sqlite log.`)
  }
  redis.defineCommand('ndxpTransactionsAppend', { numberOfKeys: 6, lua: APPEND_LUA })
  redis.defineCommand('ndxpTransactionsGet', { numberOfKeys: 2, lua: GET_LUA, readOnly: true })
  redis.defineCommand('ndxpTransactionsQuery', { numberOfKeys: 3, lua: QUERY_LUA, readOnly: true })
  redis.defineCommand('ndxpTransactionsStats', { numberOfKeys: 1, lua: STATS_LUA, readOnly: true })
  return new RedisTransactionStore(redis, options)
}

class RedisTransactionStore implements TransactionStore {
  private readonly keys: TransactionKeys
  private readonly scripts: Scripts
  private readonly settings: AppendSettings
  private readonly tuples = new Map<string, Tuple>()
  /** The tuples' generation the cache holds ids of (see TUPLE_GENERATION). */
  private tupleGeneration: string | null = null
  /** Where retention has deleted rollups, by view, as last seen; a read that finds otherwise corrects it. */
  private readonly horizons: [Horizons, Horizons] = [COMPLETE, COMPLETE]
  private closed = false

  constructor (private readonly redis: Redis, private readonly options: RedisTransactionStoreOptions) {
    this.keys = new TransactionKeys(options.keys)
    this.scripts = redis as unknown as Scripts
    this.settings = {
      maxTransactions: options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS,
      minuteRetentionMs: options.rollupRetention?.minuteMs ?? DEFAULT_MINUTE_RETENTION_MS,
      hourRetentionMs: options.rollupRetention?.hourMs ?? DEFAULT_HOUR_RETENTION_MS,
    }
  }

  async append (records: readonly TransactionRecord[]): Promise<void> {
    this.ensureOpen()
    checkRecords(records)
    let pending = distinctById(records)
    // A replay (some ids stored already) adds nothing and names them: send the rest again. Each
    // round leaves out at least one record, so this ends; a batch of new records takes one.
    while (pending.length > 0) {
      const args = appendArguments(pending, this.keys, this.settings)
      const reply = await this.guard(() => this.scripts.ndxpTransactionsAppend(...args))
      if (!Array.isArray(reply)) return
      const stored = new Set(reply)
      pending = pending.filter((record) => !stored.has(record.id))
    }
  }

  async get (id: string): Promise<TransactionRecord | undefined> {
    this.ensureOpen()
    parseInput(z.string().max(200), id, 'transaction id')
    const json = await this.guard(() => this.scripts.ndxpTransactionsGet(this.keys.ids, this.keys.log, id))
    return json === null ? undefined : JSON.parse(json) as TransactionRecord
  }

  async query (query: TransactionQuery): Promise<TransactionPage> {
    this.ensureOpen()
    const args = queryArguments(query, this.keys, this.options.scanLimit ?? DEFAULT_SCAN_LIMIT)
    return toPage(await this.guard(() => this.scripts.ndxpTransactionsQuery(...args)))
  }

  async stats (input: StatsQuery): Promise<StatsResult> {
    this.ensureOpen()
    const query = resolveStatsQuery(input, (this.options.clock ?? Date.now)())
    const view = viewFor(query)
    await this.guard(() => this.checkTupleGeneration())
    const { result, horizons } = await this.guard(() => readStats(query, {
      base: this.keys.base,
      metaKey: this.keys.meta,
      rowsPerRead: this.options.rollupRowsPerRead ?? DEFAULT_ROLLUP_ROWS_PER_READ,
      horizons: this.horizons[view],
      read: (args) => this.scripts.ndxpTransactionsStats(...args),
      tuples: (ids) => this.tuplesById(ids),
    }))
    this.horizons[view] = horizons
    return result
  }

  async count (): Promise<number> {
    this.ensureOpen()
    return await this.guard(() => this.redis.xlen(this.keys.log))
  }

  async close (): Promise<void> {
    this.closed = true
  }

  /**
   * Ids cached from before Redis lost its data name other tuples now (ids count up from 1 again):
   * one HGET per stats query tells, and a changed generation empties the cache.
   */
  private async checkTupleGeneration (): Promise<void> {
    const generation = await this.redis.hget(this.keys.tuples, TUPLE_GENERATION)
    if (generation === this.tupleGeneration) return
    this.tuples.clear()
    this.tupleGeneration = generation
  }

  /** Tuples never change within a generation, so they are cached; unknown ones come in one HMGET. */
  private async tuplesById (ids: string[]): Promise<Map<string, Tuple>> {
    const found = new Map<string, Tuple>()
    const missing = ids.filter((id) => {
      const tuple = this.tuples.get(id)
      if (tuple !== undefined) found.set(id, tuple)
      return tuple === undefined
    })
    if (missing.length === 0) return found
    const texts = await this.redis.hmget(this.keys.tuples, ...missing)
    // Made-up service names can make tuples without end: bound the cache, not the answers.
    if (this.tuples.size + missing.length > MAX_CACHED_TUPLES) this.tuples.clear()
    missing.forEach((id, i) => {
      const text = texts[i]
      if (text == null) return
      const tuple = decodeTuple(text)
      this.tuples.set(id, tuple)
      found.set(id, tuple)
    })
    return found
  }

  private ensureOpen (): void {
    if (this.closed) throw storeClosed()
  }

  /** Redis failures (unreachable, timeout, script error) become the catalogue's store error; ours pass through. */
  private async guard<T> (work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof NdxpError) throw error
      throw unavailable(this.redis, error)
    }
  }
}

function unavailable (redis: Redis, error: unknown): NdxpError {
  const message = (error as Error).message
  const reason = redis.status === 'ready' && !/writeable/.test(message) ? message : `Redis is not connected (${redis.status}): ${message}`
  return new NdxpError('server.store_unavailable', `The transaction log in Redis failed: ${reason}. Check that Redis runs, is reachable and has memory to spare (maxmemory); the store reconnects on its own.`, { cause: error })
}
