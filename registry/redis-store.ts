// The registry in Redis, shared by every hub replica: one JSON document, its version and its epoch
// under one hash tag, changed by compare-and-set in Lua and announced on a channel (redis-changes.ts).
import { createHash, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { connectRedis, redactUrl, redisPrefixSchema, RedisKeys } from '../common/redis.js'
import { NdxpError } from '../contracts/errors.js'
import { DEFAULT_INSTANCE, instanceSchema, quote } from '../contracts/registry.js'
import { DocumentError, decodeDocument, emptyDocument, type RegistryDocument } from './document.js'
import { DocumentRegistryStore, type DocumentBackend, type VersionedDocument } from './document-store.js'
import { parseInput, storeClosed, type RegistryStore, type RegistryStoreOptions } from './store.js'

export interface RedisRegistryStoreOptions extends RegistryStoreOptions {
  /** `redis://…`: the store opens its own connection and closes it on close(). */
  url?: string
  /** An open connection to use instead (e.g. shared with the rate limiter); close() leaves it open. */
  client?: Redis
  /** The deployment's key prefix: the registry lives in `<prefix>:{registry}:*`. */
  prefix: string
  /** With `url`: a command not answered within this fails (default 1000). */
  commandTimeoutMs?: number
  /** How often a change is applied afresh when another replica changed the registry first (default 20). */
  maxWriteAttempts?: number
  /**
   * Told when Redis was found empty (restarted without its data, flushed, or failed over to an empty
   * replica) and this store wrote back the registry it last read: `restored` is false when another
   * replica had already done so and its document was taken instead.
   */
  onRegistryLost?: (event: { lostVersion: number, restored: boolean }) => void
}

/** The registry's keys: all three carry the `{registry}` hash tag, so one script may touch them on Redis Cluster. */
export function registryKeys (prefix: string): { document: string, version: string, epoch: string, channel: string } {
  const keys = new RedisKeys(prefix)
  return { document: keys.registry('document'), version: keys.registry('version'), epoch: keys.registry('epoch'), channel: keys.registryChannel }
}

export async function openRedisRegistryStore (options: RedisRegistryStoreOptions): Promise<RegistryStore> {
  const instance = parseInput(instanceSchema, options.instance ?? DEFAULT_INSTANCE, 'instance')
  const prefix = parseInput(redisPrefixSchema, options.prefix, 'Redis key prefix')
  const { url, clock = () => new Date(), maxWriteAttempts = 20 } = options
  if ((url === undefined) === (options.client === undefined)) throw new NdxpError('client.bad_request', 'Give the Redis registry store either a url or a client, not both or neither.')
  let client = options.client
  if (client === undefined) {
    try {
      client = await connectRedis({ url: url ?? '', name: 'ndxp-registry', ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }) })
    } catch (error) {
      throw new NdxpError('server.store_unavailable', `Cannot open the registry store: ${(error as Error).message}`, { cause: error })
    }
  }
  const where = url === undefined ? `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}` : redactUrl(url)
  const backend = new RedisBackend(client, options.client === undefined, where, registryKeys(prefix), instance, maxWriteAttempts, options.onRegistryLost)
  try {
    await backend.read() // refuse at once a document this hub cannot use
  } catch (error) {
    await backend.close()
    throw error
  }
  return new DocumentRegistryStore(backend, instance, clock)
}

/** A script run by its hash, sent whole only when Redis does not have it (first use, or after a restart). */
class Lua {
  readonly #sha: string

  constructor (readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex')
  }

  async run (client: Redis, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error
      return await client.eval(this.source, keys.length, ...keys, ...args)
    }
  }
}

// Both scripts compare the version and the epoch the caller last saw. The epoch is renewed whenever the
// registry starts from nothing (first write, or after Redis lost its data), so a version number that
// counts up again after a loss is never mistaken for the one a replica cached before it.
const READ = new Lua(`
local v = redis.call('GET', KEYS[2]) or '0'
local e = redis.call('GET', KEYS[3]) or ''
if v == ARGV[1] and e == ARGV[2] then return {v, e} end
return {v, e, redis.call('GET', KEYS[1])}`)

const WRITE = new Lua(`
local v = redis.call('GET', KEYS[2]) or '0'
local e = redis.call('GET', KEYS[3]) or ''
if v ~= ARGV[1] or e ~= ARGV[2] then return {0, v, e, redis.call('GET', KEYS[1])} end
if v == '0' or e == '' then e = ARGV[4]; redis.call('SET', KEYS[3], e) end
redis.call('SET', KEYS[1], ARGV[3])
local n = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[5], n)
return {1, tostring(n), e}`)

interface Cached extends VersionedDocument {
  readonly epoch: string
  /** The document as JSON, once needed: parsing it is the cheapest way to a private copy. */
  json?: string
}
type Keys = ReturnType<typeof registryKeys>

class RedisBackend implements DocumentBackend {
  #cache: Cached | undefined
  #writes: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor (private readonly client: Redis, private readonly owned: boolean, private readonly where: string,
    private readonly keys: Keys, private readonly instance: string, private readonly maxAttempts: number,
    private readonly onLost?: RedisRegistryStoreOptions['onRegistryLost']) {}

  /** One round trip; the document travels only when it differs from the cached one. */
  async read (): Promise<Cached> {
    const known = this.#cache
    const reply = await this.#run(READ, [String(known?.version ?? -1), known?.epoch ?? ''], false)
    if (reply.length === 2 && known !== undefined) return known
    if (this.#lostData(reply)) return await this.#restore(known as Cached)
    return this.#accept(reply)
  }

  /**
   * Redis answers "no registry" where this replica has read one: Redis lost its data (a restart
   * without persistence, a flush, a failover to an empty replica). Taking the empty registry would
   * turn every key away with 401 while every probe says ready; the registry this replica last read
   * is the best copy left, so it is written back (compare-and-set on the empty state: when several
   * replicas find the loss at once, the first one's copy is kept and the others take it).
   */
  #lostData ([rawVersion, , json]: unknown[]): boolean {
    const known = this.#cache
    return known !== undefined && known.version > 0 && this.#parseVersion(rawVersion) === 0 && typeof json !== 'string'
  }

  async #restore (lost: Cached): Promise<Cached> {
    lost.json ??= JSON.stringify(lost.doc)
    const reply = await this.#run(WRITE, ['0', '', lost.json, randomUUID(), this.keys.channel], true)
    if (reply[0] === 1) {
      this.#cache = { version: this.#parseVersion(reply[1]), epoch: String(reply[2]), doc: lost.doc, json: lost.json }
      this.onLost?.({ lostVersion: lost.version, restored: true })
      return this.#cache
    }
    this.onLost?.({ lostVersion: lost.version, restored: false })
    return this.#accept(reply.slice(1))
  }

  async version (): Promise<number> {
    if (this.#closed) throw storeClosed()
    const raw = await this.client.get(this.keys.version).catch((error: unknown) => { throw this.#failure(error, false) })
    return this.#parseVersion(raw)
  }

  // Updates from this process go one at a time, so they never race each other for the same version.
  update<T> (apply: (draft: RegistryDocument) => { value: T, changed: boolean }): Promise<T> {
    const result = this.#writes.then(() => this.#update(apply))
    this.#writes = result.catch(() => {})
    return result
  }

  async #update<T> (apply: (draft: RegistryDocument) => { value: T, changed: boolean }): Promise<T> {
    let current = await this.read()
    for (let attempt = 1; ; attempt++) {
      current.json ??= JSON.stringify(current.doc)
      const draft = JSON.parse(current.json) as RegistryDocument
      const { value, changed } = apply(draft)
      if (!changed) return value
      const json = JSON.stringify(draft)
      const reply = await this.#run(WRITE, [String(current.version), current.epoch, json, randomUUID(), this.keys.channel], true)
      if (reply[0] === 1) {
        this.#cache = { version: this.#parseVersion(reply[1]), epoch: String(reply[2]), doc: draft, json }
        return value
      }
      current = this.#lostData(reply.slice(1)) ? await this.#restore(current) : this.#accept(reply.slice(1))
      if (attempt >= this.maxAttempts) {
        throw new NdxpError('server.store_unavailable', `The registry in Redis at ${this.where} changed under each of ${attempt} attempts to apply this change (other hub replicas are writing); nothing was changed, retry.`)
      }
      await sleep(Math.random() * Math.min(50, 2 ** attempt))
    }
  }

  /** Takes a reply [version, epoch, document] as the current state, checking what another writer left. */
  #accept ([rawVersion, rawEpoch, json]: unknown[]): Cached {
    const version = this.#parseVersion(rawVersion)
    const epoch = String(rawEpoch ?? '')
    const cached = this.#cache
    if (cached !== undefined && cached.version === version && cached.epoch === epoch) return cached
    let doc: RegistryDocument
    if (typeof json === 'string') {
      try {
        doc = decodeDocument(json)
      } catch (error) {
        if (!(error instanceof DocumentError)) throw error
        const fix = error.newer ? 'Upgrade this hub to the version the other replicas run.' : `Restore it from a backup, or delete ${this.keys.document}, ${this.keys.version} and ${this.keys.epoch} and seed the registry again.`
        throw new NdxpError('server.store_unavailable', `The registry document in Redis (${this.keys.document}) ${error.message}. ${fix}`, { cause: error })
      }
      if (doc.instance !== this.instance) {
        throw new NdxpError('server.store_unavailable', `The registry in Redis (${this.keys.document}) serves instance ${quote(doc.instance)}, not ${quote(this.instance)}; use another key prefix or set the instance to match.`)
      }
    } else if (version === 0) {
      doc = emptyDocument(this.instance)
    } else {
      throw new NdxpError('server.store_unavailable', `The registry document ${this.keys.document} is missing from Redis though its version is ${version} (evicted or deleted?). Restore it from a backup, or delete ${this.keys.version} too and seed the registry again; never let Redis evict these keys (maxmemory-policy noeviction).`)
    }
    this.#cache = { version, epoch, doc }
    return this.#cache
  }

  #parseVersion (raw: unknown): number {
    if (raw === null) return 0
    if (typeof raw === 'string' && /^\d{1,15}$/.test(raw)) return Number(raw)
    throw new NdxpError('server.store_unavailable', `The registry version in Redis (${this.keys.version}) is ${quote(raw)}, not a whole number: something else wrote to it. Delete the keys ${this.keys.document}, ${this.keys.version} and ${this.keys.epoch} and seed the registry again.`)
  }

  async #run (script: Lua, args: string[], writing: boolean): Promise<unknown[]> {
    if (this.#closed) throw storeClosed()
    const keys = [this.keys.document, this.keys.version, this.keys.epoch]
    try {
      return await script.run(this.client, keys, args) as unknown[]
    } catch (error) {
      throw this.#failure(error, writing)
    }
  }

  /** Every Redis failure becomes `server.store_unavailable` saying what happened, never a raw client error. */
  #failure (error: unknown, writing: boolean): NdxpError {
    if (this.#closed) return storeClosed()
    const message = (error as Error).message ?? String(error)
    if ((error as Error).name === 'ReplyError') {
      const hint = message.startsWith('WRONGTYPE') ? `: something else has written to ${this.keys.document} or ${this.keys.version}` : ''
      return new NdxpError('server.store_unavailable', `Redis at ${this.where} refused a registry command (${message.slice(0, 200)})${hint}.`, { cause: error })
    }
    const cause = this.client.status === 'ready' ? message : `not connected, ${this.client.status}`
    const maybe = writing && /timed? ?out/i.test(message) ? ' The change may or may not have been applied: check, then retry.' : ''
    return new NdxpError('server.store_unavailable', `Redis at ${this.where} is unreachable (${cause}): the registry can be neither read nor changed until it is back. Check that Redis runs.${maybe}`, { cause: error })
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (!this.owned) return
    // quit() lets pending replies arrive; it fails at once when not connected, so then just drop.
    await this.client.quit().catch(() => this.client.disconnect())
  }
}
