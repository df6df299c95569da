// The Redis registry store: the shared contract against a private redis-server, plus what only Redis
// shows: hub replicas sharing one registry, change notification, outages, and keys others wrote to.
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { connectRedis } from '../../common/redis.js'
import { NdxpError } from '../../contracts/errors.js'
import { generateApiKey } from '../../registry/keys.js'
import { subscribeRegistryChanges } from '../../registry/redis-changes.js'
import { openRedisRegistryStore, registryKeys, type RedisRegistryStoreOptions } from '../../registry/redis-store.js'
import type { RegistryStore } from '../../registry/store.js'
import { freePort, startRedis } from '../helpers/redis-server.js'
import { ACME, CITIZENS_REF, G01, H49, expectError, federation, registryStoreContract } from './store-contract.js'

const redis = await startRedis(t)
const raw = new Redis(redis.url)
t.teardown(() => raw.quit())
let prefixes = 0
/** A prefix no other test uses: a store on it starts empty. */
const freshPrefix = (): string => `t${prefixes++}`

registryStoreContract(t, 'Redis', () => openRedisRegistryStore({ url: redis.url, prefix: freshPrefix() }))

async function open (t: Test, options: Partial<RedisRegistryStoreOptions> = {}): Promise<RegistryStore> {
  const store = await openRedisRegistryStore({ url: redis.url, prefix: freshPrefix(), ...options })
  t.teardown(() => store.close())
  return store
}

/** Resolves with the milliseconds it took for `ready` to hold; fails the test after `withinMs`. */
async function waitFor (t: Test, what: string, ready: () => boolean | Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now()
  while (!await ready()) {
    if (Date.now() - started > withinMs) {
      t.fail(`${what}: not within ${withinMs} ms`)
      return Date.now() - started
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return Date.now() - started
}

const succeeds = (promise: Promise<unknown>): Promise<boolean> => promise.then(() => true, () => false)

t.test('two stores on one Redis (two hub replicas) see each other\'s changes at once', async (t) => {
  const prefix = freshPrefix()
  const a = await open(t, { prefix })
  const b = await open(t, { prefix })
  t.strictSame(await b.listMembers(), [], 'b has read (and cached) the empty registry')
  await federation(a)
  t.strictSame(await b.snapshot(), await a.snapshot())
  await expectError(t, b.createMember(G01), 'client.conflict')
  await b.deleteService(CITIZENS_REF)
  t.equal(await a.getService(CITIZENS_REF), undefined)
  t.equal(await a.version(), await b.version())
})

t.test('concurrent writers on two stores: every change lands once, none is lost (compare-and-set retries)', async (t) => {
  const prefix = freshPrefix()
  const a = await open(t, { prefix })
  const b = await open(t, { prefix })
  await a.createMember(G01)
  const created = await Promise.allSettled(Array.from({ length: 50 }, (_, i) =>
    (i % 2 === 0 ? a : b).createSubsystem({ memberCode: G01.code, code: `S${i}`, name: `subsystem ${i}` })))
  t.strictSame(created.filter((r) => r.status === 'rejected').map((r) => String(r.reason)), [], 'all 50 succeed')
  t.equal((await b.listSubsystems(G01.code)).length, 50)
  t.equal(await a.version(), 51, 'one version per change')
  const same = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).createMember(H49)))
  t.equal(same.filter((r) => r.status === 'fulfilled').length, 1, 'the same record from both: exactly one wins')
  t.ok(same.every((r) => r.status === 'fulfilled' || (r.reason instanceof NdxpError && r.reason.code === 'client.conflict')), 'the rest conflict')
  t.equal(await b.version(), 52)
})

t.test('a change retried after another writer came first is applied to the new registry; retries are bounded', async (t) => {
  const prefix = freshPrefix()
  const keys = registryKeys(prefix)
  const client = await connectRedis({ url: redis.url })
  t.teardown(() => client.quit())
  // The clock runs while the change is applied, just before the compare-and-set is sent on the same
  // connection: an INCR sent from it reaches Redis first, as another replica's change would.
  let interfere = 0
  const clock = (): Date => {
    if (interfere > 0) {
      interfere--
      void client.incr(keys.version)
    }
    return new Date('2025-07-01T08:00:00.000Z')
  }
  const store = await openRedisRegistryStore({ client, prefix, clock, maxWriteAttempts: 3 })
  await store.createMember(G01)
  interfere = 2
  const key = await store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: 'third time lucky' })
  t.equal(await store.version(), 4, 'two interfering bumps, then the change itself')
  t.strictSame(await store.getApiKey(key.id), key)
  interfere = 10
  await expectError(t, store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: 'never' }), 'server.store_unavailable', /3 attempts.*nothing was changed/)
  t.equal((await store.listApiKeys()).length, 1)
  await store.close()
  t.equal(client.status, 'ready', 'a connection given to the store is left open')
})

t.test('notification: the current version at once, then each change by another store within a second', async (t) => {
  const prefix = freshPrefix()
  const a = await open(t, { prefix })
  await a.createMember(G01)
  const seen: number[] = []
  const subscription = await subscribeRegistryChanges({ url: redis.url, prefix }, (version) => seen.push(version))
  t.teardown(() => subscription.close())
  t.strictSame(seen, [1], 'the version current when subscribed')
  const b = await open(t, { prefix })
  await b.createMember(H49)
  t.ok(await waitFor(t, 'notified of version 2', () => seen.includes(2), 1000) < 1000)
  await b.updateMember(H49.code, { name: 'UBND tỉnh Quảng Ninh' })
  await waitFor(t, 'notified of version 3', () => seen.includes(3), 1000)
  t.strictSame(seen, [1, 2, 3])
  await subscription.close()
  await subscription.close()
  await b.deleteMember(H49.code)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.strictSame(seen, [1, 2, 3], 'nothing after close')
})

t.test('Redis down: every call fails fast with server.store_unavailable; afterwards the same store and subscription work again', async (t) => {
  const own = await startRedis(t, { appendOnly: true })
  const prefix = 'outage'
  const store = await openRedisRegistryStore({ url: own.url, prefix })
  t.teardown(() => store.close())
  const seen: number[] = []
  const subscription = await subscribeRegistryChanges({ url: own.url, prefix }, (version) => seen.push(version))
  t.teardown(() => subscription.close())
  await store.createMember(G01)
  await waitFor(t, 'notified of version 1', () => seen.includes(1), 1000)

  await own.kill()
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['getMember', () => store.getMember(G01.code)], ['listMembers', () => store.listMembers()], ['snapshot', () => store.snapshot()],
    ['version', () => store.version()], ['createMember', () => store.createMember(H49)], ['deleteMember', () => store.deleteMember(G01.code)],
    ['findMemberByKeyHash', () => store.findMemberByKeyHash(generateApiKey().hash)],
  ]
  for (const [name, call] of calls) {
    const started = Date.now()
    await expectError(t, call(), 'server.store_unavailable', /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/)
    t.ok(Date.now() - started < 2000, `${name} failed within 2 s (${Date.now() - started} ms)`)
  }
  const before = seen.length
  await own.restart()
  await waitFor(t, 'the store works again', () => succeeds(store.version()), 5000)
  await waitFor(t, 'the subscription reports the current version after reconnecting', () => seen.length > before, 5000)
  t.equal(seen.at(-1), 1, 'data kept across the restart (append-only file)')
  await store.createMember(H49)
  t.ok(await waitFor(t, 'notified of version 2 after the restart', () => seen.includes(2), 1000) < 1000)
  t.strictSame((await store.listMembers()).map((m) => m.code), [G01.code, H49.code])
})

t.test('opening or subscribing without a reachable Redis fails fast with server.store_unavailable', async (t) => {
  const url = `redis://127.0.0.1:${await freePort()}`
  const started = Date.now()
  await expectError(t, openRedisRegistryStore({ url, prefix: 'nowhere' }), 'server.store_unavailable', /Cannot connect to Redis at redis:\/\/127\.0\.0\.1/)
  await expectError(t, subscribeRegistryChanges({ url, prefix: 'nowhere' }, () => {}), 'server.store_unavailable', /Cannot subscribe/)
  t.ok(Date.now() - started < 4000)
  await expectError(t, openRedisRegistryStore({ url, prefix: 'a b' }), 'client.bad_request', /prefix/)
  await expectError(t, openRedisRegistryStore({ prefix: 'p' }), 'client.bad_request', /url or a client/)
})

t.test('keys: three, all under the deployment prefix and the {registry} hash tag; the document is the snapshot', async (t) => {
  const prefix = freshPrefix()
  const store = await open(t, { prefix })
  await federation(store)
  await store.createApiKey({ memberCode: G01.code, hash: generateApiKey().hash, label: 'k' })
  await store.recordHeartbeat('population', new Date(), 'up')
  const keys = registryKeys(prefix)
  t.strictSame((await raw.keys(`${prefix}:*`)).sort(), [keys.document, keys.epoch, keys.version])
  t.strictSame([keys.document, keys.epoch, keys.version], [`${prefix}:{registry}:document`, `${prefix}:{registry}:epoch`, `${prefix}:{registry}:version`])
  const everyKey = await raw.keys('*')
  t.ok(everyKey.length > 3 && everyKey.every((k) => /^t\d+:\{registry\}:(document|version|epoch)$/.test(k)), 'no store (the contract\'s included) wrote any other key')
  const { version, ...snapshot } = await store.snapshot()
  t.equal(await raw.get(keys.version), String(version))
  t.strictSame(JSON.parse(await raw.get(keys.document) ?? 'null'), { schema: 1, ...snapshot })
})

t.test('a replica does not serve its cache after Redis lost the registry and the version counted up to the same number', async (t) => {
  const prefix = freshPrefix()
  const a = await open(t, { prefix })
  const b = await open(t, { prefix })
  await a.createMember(G01)
  t.strictSame((await b.listMembers()).map((m) => m.code), [G01.code], 'b caches version 1')
  const keys = registryKeys(prefix)
  await raw.del(keys.document, keys.version, keys.epoch)
  // A replica started after the loss has nothing to write back: it starts a registry of its own.
  const fresh = await open(t, { prefix })
  await fresh.createMember(H49)
  t.equal(await b.version(), 1, 'version 1 again, with other content')
  t.strictSame((await b.listMembers()).map((m) => m.code), [H49.code])
  await b.createMember(ACME)
  t.strictSame((await a.listMembers()).map((m) => m.code), [H49.code, ACME.code])
})

t.test('Redis lost its data: the first replica to notice writes back the registry it holds, the others take it, no key turns to 401', async (t) => {
  const prefix = freshPrefix()
  const events: Array<{ replica: string, lostVersion: number, restored: boolean }> = []
  const a = await open(t, { prefix, onRegistryLost: (event) => events.push({ replica: 'a', ...event }) })
  const b = await open(t, { prefix, onRegistryLost: (event) => events.push({ replica: 'b', ...event }) })
  await a.createMember(G01)
  await a.createMember(H49)
  const key = generateApiKey()
  await a.createApiKey({ memberCode: H49.code, hash: key.hash, label: 'province portal' })
  t.strictSame((await b.listMembers()).map((m) => m.code), [G01.code, H49.code])
  const keys = registryKeys(prefix)

  await raw.flushdb() // as Redis restarted without persistence
  t.strictSame((await b.listMembers()).map((m) => m.code), [G01.code, H49.code], 'b serves the registry, not an empty one')
  t.strictSame(events, [{ replica: 'b', lostVersion: 3, restored: true }], 'and said it wrote it back')
  t.equal((await b.findMemberByKeyHash(key.hash))?.code, H49.code, 'the agency\'s key still works')
  t.ok(await raw.get(keys.document), 'the document is in Redis again')
  t.strictSame((await a.listMembers()).map((m) => m.code), [G01.code, H49.code], 'a takes what b wrote back')
  t.equal(events.length, 1, 'a had nothing to restore')
  await a.createMember(ACME)
  t.strictSame((await b.listMembers()).map((m) => m.code), [G01.code, H49.code, ACME.code], 'changes go on from there')

  await raw.flushdb()
  const [seenByA, seenByB] = await Promise.all([a.listMembers(), b.listMembers()])
  t.strictSame(seenByA.map((m) => m.code), [G01.code, H49.code, ACME.code])
  t.strictSame(seenByB.map((m) => m.code), [G01.code, H49.code, ACME.code], 'both found the loss at once: one copy kept')
  t.equal(events.slice(1).filter((e) => e.restored).length, 1, 'exactly one replica wrote its copy back')

  await raw.flushdb()
  await b.createMember({ ...ACME, code: '000.00.00.A99', name: 'Một cơ quan khác' })
  t.strictSame((await a.listMembers()).map((m) => m.code), ['000.00.00.A99', G01.code, H49.code, ACME.code], 'a change made on a lost registry is applied to the restored one')
})

t.test('what others wrote to the keys: server.store_unavailable saying what is wrong, never a crash; repairing it heals', async (t) => {
  const prefix = freshPrefix()
  const keys = registryKeys(prefix)
  const store = await open(t, { prefix })
  await store.createMember(G01)
  const good = await raw.get(keys.document) ?? ''
  const doc = JSON.parse(good) as Record<string, unknown>
  const write = async (value: string): Promise<void> => { await raw.set(keys.document, value); await raw.incr(keys.version) }
  const refused = async (why: RegExp, label: string): Promise<void> => {
    t.comment(label)
    await expectError(t, store.listMembers(), 'server.store_unavailable', why)
    await expectError(t, store.createMember(H49), 'server.store_unavailable', why)
    if (label === 'garbage version') await expectError(t, store.version(), 'server.store_unavailable', why)
    await expectError(t, openRedisRegistryStore({ url: redis.url, prefix }), 'server.store_unavailable', why)
  }
  await write('this is not JSON {')
  await refused(/not valid JSON.*delete .*\{registry\}:document/, 'garbage')
  await write(JSON.stringify({ ...doc, schema: 2 }))
  await refused(/newer ndxp-sim \(document schema 2; this one reads schema 1\).*Upgrade/, 'a newer schema')
  await write(JSON.stringify({ ...doc, members: [{ code: 42 }] }))
  await refused(/layout \(members\.0\.code/, 'wrong layout')
  await write('{"__proto__": {"polluted": true}, "schema": 1}')
  await refused(/layout/, 'prototype pollution attempt')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
  await write(JSON.stringify({ ...doc, subsystems: [{ memberCode: '000.00.00.G99', code: 'X', name: 'orphan' }] }))
  await refused(/inconsistent: .*000\.00\.00\.G99/, 'a dangling reference')
  await write(JSON.stringify({ ...doc, instance: 'EE' }))
  await refused(/serves instance "EE", not "VN"/, 'another instance')
  await raw.del(keys.document)
  await raw.incr(keys.version)
  await refused(/missing from Redis though its version is/, 'document deleted')
  await raw.hset(keys.document, 'x', '1')
  await raw.incr(keys.version)
  await refused(/refused a registry command \(WRONGTYPE.*something else has written/, 'a hash where the document belongs')
  await raw.del(keys.document)
  await raw.set(keys.version, 'eleven')
  await refused(/version in Redis .* is "eleven", not a whole number/, 'garbage version')
  await raw.set(keys.version, '100')
  await raw.set(keys.document, good)
  t.strictSame(await store.listMembers(), [G01], 'the same store works again once repaired')
  await store.createMember(H49)
  t.equal(await store.version(), 101)
})
