// The Redis rate limiter against a private redis-server: the Lua GCRA matches gcraStep, N replicas
// share one policy, a dead or hung Redis follows the failure policy and never hangs a request, one
// decision is one Redis command, and hostile bucket names and policies are harmless.
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import client from 'prom-client'
import t, { type Test } from 'tap'
import { connectRedis, RedisKeys } from '../../common/redis.js'
import type { RateLimit } from '../../contracts/registry.js'
import { gcraStep, type GcraState } from '../../gateway/rate-limit/gcra.js'
import type { RateLimiter } from '../../gateway/rate-limit/limiter.js'
import { LocalRateLimiter } from '../../gateway/rate-limit/local-limiter.js'
import { RedisRateLimiter } from '../../gateway/rate-limit/redis-limiter.js'
import { ReplicaPresence } from '../../gateway/rate-limit/replica-presence.js'
import { ResilientRateLimiter, type RateLimitFailurePolicy } from '../../gateway/rate-limit/resilient-limiter.js'
import { rateLimitReadiness, registerRateLimitStoreMetrics } from '../../gateway/rate-limit/store-status.js'
import { expectError } from '../helpers/expect-error.js'
import { startRedis, type RedisProcess } from '../helpers/redis-server.js'

const keys = new RedisKeys('rltest')

async function connect (t: Test, server: RedisProcess, commandTimeoutMs = 300): Promise<Redis> {
  const redis = await connectRedis({ url: server.url, commandTimeoutMs, name: 'rate-limit-test' })
  t.teardown(() => { redis.disconnect() })
  return redis
}

function local (t: Test): LocalRateLimiter {
  const limiter = new LocalRateLimiter()
  t.teardown(() => limiter.close())
  return limiter
}

// A deterministic walk through time, as offsets: bursts at one instant, steps under and over the
// interval, idle gaps.
function scriptedOffsets (policy: RateLimit, steps: number): number[] {
  const interval = 1000 / policy.ratePerSecond
  let seed = 7
  const random = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
  const offsets = [0.123]
  for (let i = 1; i < steps; i++) {
    const r = random()
    const step = r < 0.3 ? 0 : r < 0.9 ? random() * 2 * interval : random() * (policy.burst + 2) * interval
    offsets.push((offsets[i - 1] ?? 0) + step)
  }
  return offsets
}

/** The behaviour every limiter must have: decide exactly as gcraStep does for the same times. */
async function decidesLikeGcra (t: Test, limiter: RateLimiter, bucket: string): Promise<void> {
  const policies: RateLimit[] = [{ ratePerSecond: 2, burst: 3 }, { ratePerSecond: 0.5, burst: 1 }, { ratePerSecond: 3, burst: 4 },
    { ratePerSecond: 7, burst: 5 }, { ratePerSecond: 50, burst: 20 }, { ratePerSecond: 1000, burst: 50 }, { ratePerSecond: 0.001, burst: 10_000_000 }]
  let mismatches = 0
  let admitted = 0
  for (const [p, policy] of policies.entries()) {
    let state: GcraState | undefined
    const start = Date.now()
    const began = performance.now()
    for (const offset of scriptedOffsets(policy, 100)) {
      // The walk's clock never runs slower than the real one: Redis expires keys on real time, so a
      // stall of the test process longer than the TTL's slack could not make a key vanish early.
      const now = start + offset + (performance.now() - began)
      const expected = gcraStep(state, policy, now)
      state = expected.state
      const got = await limiter.consume(`${bucket}:${p}`, policy, now)
      if (expected.decision.allowed) admitted++
      if (mismatches < 5 && !t.strictSame(got, expected.decision, `${JSON.stringify(policy)} at +${(now - start).toFixed(3)} ms`)) mismatches++
    }
  }
  t.equal(mismatches, 0, 'every decision equal, to the last bit')
  const steps = policies.length * 100
  t.ok(admitted > steps * 0.05 && admitted < steps * 0.95, `the walk both admits and rejects (${admitted} of ${steps} admitted)`)

  // One key while an admin changes its policy every 12 requests: rejections that move the key's
  // time (a lowered limit) included. The slow policy last: its TTL outlives the walk's real time.
  const changing = [policies[4], policies[1], policies[5], policies[0], policies[6], policies[2], policies[3], policies[1]] as RateLimit[]
  let state: GcraState | undefined
  let changedMismatches = 0
  const outcomes = new Set<boolean>()
  let now = Date.now()
  for (const [c, policy] of changing.entries()) {
    const offsets = scriptedOffsets(policy, 12)
    for (let i = 0; i < offsets.length; i++) {
      now += i === 0 ? 0.5 : (offsets[i] as number) - (offsets[i - 1] as number)
      now = Math.max(now, Date.now())
      const expected = gcraStep(state, policy, now)
      state = expected.state
      outcomes.add(expected.decision.allowed)
      const got = await limiter.consume(`${bucket}:changing`, policy, now)
      if (changedMismatches < 5 && !t.strictSame(got, expected.decision, `policy #${c} ${JSON.stringify(policy)}, request ${i + 1}`)) changedMismatches++
    }
  }
  t.equal(changedMismatches, 0, 'across policy changes too, every decision equal')
  t.equal(outcomes.size, 2, 'that walk also both admits and rejects')
}

interface Hammered {
  readonly sent: number
  readonly admitted: number[]
  /** Budget left in the bucket(s) when the run stopped: asked for by nobody, admitted by no one. */
  readonly unclaimed: number
  readonly seconds: number
  /** `seconds` less the time no request arrived after the bucket was full again: budget nobody asked for. */
  readonly askedSeconds: number
}

/**
 * Requests from every limiter at once, each far faster than the policy, for `ms`; then one look at
 * what is left in the bucket (`shared`: one bucket for all limiters, else one each).
 */
async function hammer (limiters: readonly RateLimiter[], shared: boolean, key: string, policy: RateLimit, ms: number): Promise<Hammered> {
  const start = performance.now()
  const admitted = limiters.map(() => 0)
  const sentAt: number[] = []
  await Promise.all(limiters.map(async (limiter, i) => {
    while (performance.now() - start < ms) {
      sentAt.push(performance.now())
      // Several at once, one pipelined write: demand stays well above the policy on a slow machine too.
      const batch = await Promise.all([0, 1, 2, 3, 4, 5].map(() => limiter.consume(key, policy, Date.now())))
      admitted[i] = (admitted[i] ?? 0) + batch.filter((d) => d.allowed).length
      await sleep(1)
    }
  }))
  sentAt.push(performance.now())
  const left = await Promise.all((shared ? limiters.slice(0, 1) : limiters).map((limiter) => limiter.consume(key, policy, Date.now())))
  const end = performance.now()
  // On a busy machine the test process itself can stall: a stall longer than the bucket takes to
  // fill loses that budget, and one just before the end leaves budget unclaimed, whichever limiter
  // runs. Neither is counted against the limiter; neither can hide one that admits too much.
  const fullAfter = (policy.burst / policy.ratePerSecond) * 1000
  let idle = 0
  for (let i = 1; i < sentAt.length; i++) idle += Math.max(0, (sentAt[i] ?? 0) - (sentAt[i - 1] ?? 0) - fullAfter)
  const unclaimed = left.reduce((n, d) => n + (d.allowed ? d.remaining + 1 : 0), 0)
  return { sent: sentAt.length * 6, admitted, unclaimed, seconds: (end - start) / 1000, askedSeconds: (end - start - idle) / 1000 }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)
/** The sustained rate: the budget handed out beyond the initial burst, per second requests were made. */
const sustained = (run: Hammered, burst: number): number => (sum(run.admitted) + run.unclaimed - burst) / run.askedSeconds
const details = (run: Hammered, burst: number): string => `; admitted ${run.admitted.join(' + ')} in ${run.seconds.toFixed(3)} s` +
  ` = ${((sum(run.admitted) - burst) / run.seconds).toFixed(1)}/s beyond the burst; ${(run.sent / run.seconds).toFixed(0)}/s asked` +
  (run.unclaimed > 0 ? `; ${run.unclaimed} unclaimed at the end` : '') +
  (run.askedSeconds < run.seconds - 0.001 ? `; the test process stalled ${(run.seconds - run.askedSeconds).toFixed(3)} s` : '')

const server = await startRedis(t)

t.test('the Lua script decides exactly as gcraStep for a scripted sequence of times', async (t) => {
  const redis = await connect(t, server)
  await t.test('local limiter (reference)', (t) => decidesLikeGcra(t, local(t), 'member:walk'))
  await t.test('redis limiter, caller clock', (t) => decidesLikeGcra(t, new RedisRateLimiter({ redis, keys, clock: 'caller' }), 'member:walk'))
})

t.test('on Redis time: a burst, then one per interval, the key expiring once the bucket is full', async (t) => {
  const redis = await connect(t, server)
  const limiter = new RedisRateLimiter({ redis, keys })
  const reference = local(t)
  // 200 ms intervals: wide enough for a loaded machine to make six requests within one.
  const policy = { ratePerSecond: 5, burst: 3 }
  const key = 'member:redis-clock'
  const burst = []
  for (let i = 0; i < 6; i++) {
    const [got, expected] = [await limiter.consume(key, policy, Date.now()), reference.consume(key, policy, Date.now())]
    t.equal(got.allowed, expected.allowed, `request ${i + 1}: as the local limiter`)
    burst.push(got)
  }
  t.same(burst.map((d) => d.allowed), [true, true, true, false, false, false])
  t.same(burst.slice(0, 3).map((d) => d.remaining), [2, 1, 0])
  t.ok(burst.every((d, i) => Math.abs(d.resetSeconds - Math.min(i + 1, 3) / 5) < 0.1), 'reset: one interval per request in the bucket')
  t.ok(burst.slice(3).every((d) => d.retryAfterSeconds > 0.1 && d.retryAfterSeconds <= 0.2), 'retry after at most one interval')
  const ttl = await redis.pttl(keys.rateLimit(key))
  t.ok(ttl > 400 && ttl <= 601, `TTL ${ttl} ms: the time until the bucket is full`)
  await sleep(220)
  t.equal((await limiter.consume(key, policy, Date.now())).allowed, true, 'one interval later, one more')
  t.equal((await limiter.consume(key, policy, Date.now())).allowed, false)
  await sleep(620)
  t.equal(await redis.exists(keys.rateLimit(key)), 0, 'a full bucket leaves no key')
})

t.test('N replicas on one Redis admit the policy, not N times it (local limiters would)', async (t) => {
  // A burst of half a second: a pause of the test process shorter than that (a busy CI machine)
  // leaves the budget in the bucket for later instead of losing it and skewing the measured rate.
  const policy = { ratePerSecond: 200, burst: 100 }
  for (const replicas of [2, 3]) {
    const redisLimiters = await Promise.all(Array.from({ length: replicas }, async () => new RedisRateLimiter({ redis: await connect(t, server), keys })))
    const localLimiters = Array.from({ length: replicas }, () => local(t))
    const [shared, alone] = await Promise.all([
      hammer(redisLimiters, true, `member:cluster-${replicas}`, policy, 2000),
      hammer(localLimiters, false, `member:cluster-${replicas}`, policy, 2000),
    ])
    const rate = sustained(shared, policy.burst)
    t.ok(Math.abs(rate - 200) <= 10, `${replicas} replicas on Redis: ${rate.toFixed(1)}/s, within 5% of 200/s${details(shared, policy.burst)}`)
    t.ok(shared.sent / shared.seconds > 3 * 200, 'the replicas asked for well over the policy')
    t.ok(shared.admitted.every((n) => n > 0), 'every replica admitted some')
    const localRate = sustained(alone, replicas * policy.burst)
    t.ok(localRate > (replicas - 0.5) * 200, `${replicas} local limiters instead: ${localRate.toFixed(1)}/s, about ${replicas}× the policy${details(alone, replicas * policy.burst)}`)
  }
})

t.test('Redis down: open admits, closed refuses at once, local limits each replica at its share; back on restart', async (t) => {
  const outage = await startRedis(t)
  const admin = await connect(t, outage)
  const policy = { ratePerSecond: 200, burst: 100 }
  const presences = await Promise.all(['hub-a', 'hub-b'].map(async (gatewayId) => {
    const presence = new ReplicaPresence({ redis: await connect(t, outage), keys, gatewayId })
    t.teardown(() => presence.stop())
    return presence
  }))
  for (const presence of presences) await presence.start()
  await presences[0]?.refresh()
  t.same(presences.map((p) => p.count), [2, 2], 'both replicas see two')
  const limiters = {} as Record<RateLimitFailurePolicy, ResilientRateLimiter>
  const changes: boolean[] = []
  for (const onFailure of ['open', 'closed', 'local'] as const) {
    const store = new RedisRateLimiter({ redis: await connect(t, outage), keys })
    limiters[onFailure] = new ResilientRateLimiter({
      store, onFailure, replicas: () => presences[0]?.count ?? 1, backoffMs: { min: 100, max: 400 },
      onChange: (state) => { if (onFailure === 'local') changes.push(state.degraded) },
    })
    t.teardown(() => limiters[onFailure].close())
    t.equal((await limiters[onFailure].consume('member:before', policy, Date.now())).allowed, true, `${onFailure}: admitted through Redis`)
  }
  const metrics = new client.Registry()
  registerRateLimitStoreMetrics(metrics, limiters.local)

  await outage.kill()
  const open = await limiters.open.consume('member:outage', policy, Date.now())
  t.equal(open.allowed, true, 'open admits')
  for (let i = 0; i < 30; i++) await limiters.open.consume('member:outage', policy, Date.now())
  t.match(limiters.open.state, { degraded: true, since: Number, outages: 1, degradedDecisions: { open: 31, closed: 0, local: 0 }, degradedRefusals: 0 })

  for (let i = 0; i < 20; i++) {
    const started = performance.now()
    await expectError(t, limiters.closed.consume('member:outage', policy, Date.now()), 'server.store_unavailable', /rate-limit store \(Redis\) has not answered since .*failure policy closed/)
    t.ok(performance.now() - started < 1000, 'refused within a second')
  }
  t.match(limiters.closed.state, { degraded: true, degradedDecisions: { closed: 20 }, degradedRefusals: 20 })
  await t.rejects(rateLimitReadiness(limiters.closed).check(), /Redis has not answered since .*refused/, '/readyz fails under closed')
  await rateLimitReadiness(limiters.open).check()
  t.pass('/readyz passes under open: the replica still serves')

  await presences[0]?.refresh()
  t.equal(presences[0]?.count, 2, 'presence keeps the last count while Redis is down')
  const alone = await hammer([limiters.local], false, 'member:outage', policy, 1500)
  const rate = sustained(alone, policy.burst / 2)
  t.ok(Math.abs(rate - 100) <= 5, `local: this replica admits ${rate.toFixed(1)}/s, half of 200/s${details(alone, policy.burst / 2)}`)
  t.match(limiters.local.state, { degraded: true, replicas: 2, failurePolicy: 'local' })
  t.ok(limiters.local.state.degradedRefusals > 0, 'and refuses the rest')
  const text = await metrics.metrics()
  t.match(text, /ndxp_rate_limit_store_degraded 1\n/)
  t.match(text, /ndxp_rate_limit_degraded_decisions_total\{policy="local"\} [1-9]\d*\n/)
  t.match(text, /ndxp_rate_limit_replicas 2\n/)

  await outage.restart()
  const restarted = Date.now()
  const deadline = Date.now() + 8000
  while (Object.values(limiters).some((l) => l.state.degraded) && Date.now() < deadline) await sleep(50)
  for (const [name, limiter] of Object.entries(limiters)) t.match(limiter.state, { degraded: false, since: undefined, outages: 1 }, `${name}: back on Redis`)
  t.same(changes, [true, false], 'onChange told of the outage and the recovery')
  const before = limiters.local.state.degradedDecisions.local
  // A slow policy, so that the key outlives the look (one request at 200/s leaves a 6 ms key).
  await limiters.local.consume('member:after', { ratePerSecond: 0.01, burst: 1 }, Date.now())
  t.equal(await admin.exists(keys.rateLimit('member:after')), 1, 'the decision was made in Redis')
  t.equal(limiters.local.state.degradedDecisions.local, before)
  t.match(await metrics.metrics(), /ndxp_rate_limit_store_degraded 0\n/)

  // Once both presence connections are back, a replica that stops is gone from the count at once.
  while (presences.some((p) => (p.lastRefreshAt ?? 0) < restarted) && Date.now() < deadline + 3000) await sleep(50)
  await presences[1]?.stop()
  await presences[0]?.refresh()
  t.equal(presences[0]?.count, 1, 'a replica that stops withdraws at once')
})

t.test('a hung Redis (CLIENT PAUSE) costs one command timeout, then decisions are immediate', async (t) => {
  const admin = await connect(t, server)
  const store = new RedisRateLimiter({ redis: await connect(t, server, 200), keys })
  const limiter = new ResilientRateLimiter({ store, onFailure: 'closed', backoffMs: { min: 100, max: 200 } })
  t.teardown(() => limiter.close())
  const policy = { ratePerSecond: 100, burst: 10 }
  await limiter.consume('member:hang', policy, Date.now())
  await admin.call('CLIENT', 'PAUSE', '1200', 'ALL')
  let started = performance.now()
  await expectError(t, limiter.consume('member:hang', policy, Date.now()), 'server.store_unavailable')
  const first = performance.now() - started
  t.ok(first >= 150 && first < 1000, `the first request waits for the timeout (${first.toFixed(0)} ms)`)
  started = performance.now()
  for (let i = 0; i < 20; i++) await expectError(t, limiter.consume('member:hang', policy, Date.now()), 'server.store_unavailable')
  t.ok(performance.now() - started < 250, 'the next 20 are refused without waiting for Redis (20 timeouts would take 4 s)')
  const deadline = Date.now() + 5000
  while (limiter.state.degraded && Date.now() < deadline) await sleep(50)
  t.equal(limiter.state.degraded, false, 'back once the pause ends')
  t.equal((await limiter.consume('member:hang', policy, Date.now())).allowed, true)
})

t.test('one decision is one Redis command', async (t) => {
  const admin = await connect(t, server)
  const limiter = new RedisRateLimiter({ redis: await connect(t, server), keys })
  await limiter.consume('member:count-warm', { ratePerSecond: 50, burst: 5 }, Date.now())
  // MONITOR shows every command a client sends, and those a script runs (source `lua`) apart.
  const monitor = await admin.monitor()
  t.teardown(() => { monitor.disconnect() })
  const sent = new Map<string, number>()
  const inScripts = new Set<string>()
  const seen = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const command = (args[0] ?? '').toLowerCase()
      if (command === 'echo' && args[1] === 'counted') resolve()
      else if (source === 'lua') inScripts.add(command)
      else sent.set(command, (sent.get(command) ?? 0) + 1)
    })
  })
  const scripts = async (): Promise<number> => {
    const info = await admin.info('commandstats')
    return ['eval', 'evalsha'].reduce((n, name) => n + Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0), 0)
  }
  const before = await scripts()
  for (let i = 0; i < 10; i++) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => limiter.consume(`member:count-${j % 7}`, { ratePerSecond: 50, burst: 5 }, Date.now())))
  }
  t.equal(await scripts() - before, 1000, 'INFO commandstats: 1000 script calls')
  await admin.echo('counted')
  await seen
  t.same(Object.fromEntries(sent), { info: 2, evalsha: 1000 }, 'MONITOR: 1000 EVALSHA sent, nothing else (the INFOs are the test asking)')
  t.same([...inScripts].sort(), ['get', 'set', 'time'], 'inside the script: GET, TIME and SET on admission')
})

t.test('hostile bucket names and policies', async (t) => {
  const redis = await connect(t, server)
  const limiter = new RedisRateLimiter({ redis, keys, clock: 'caller' })
  const names = ['quote"s\'', '{}', '}{', 'a{b}c', '{member:x}', 'line\nbreak\r\n', 'x'.repeat(10_240), '', 'Hà Nội', '\u0000', '#abc', 'member:000.00.00.H49']
  const policy = { ratePerSecond: 1, burst: 2 }
  const now = Date.now()
  for (const name of names) {
    const allowed = []
    for (let i = 0; i < 3; i++) allowed.push((await limiter.consume(name, policy, now)).allowed)
    t.same(allowed, [true, true, false], `${JSON.stringify(name.slice(0, 20))}: its own bucket`)
  }
  const stored = new Set<string>()
  for (const name of names) {
    const key = keys.rateLimit(name)
    stored.add(key)
    t.match(key, /^rltest:rl:\{[^{}\s]{1,128}\}$/, `${JSON.stringify(name.slice(0, 20))} → ${key.slice(0, 60)}`)
    t.equal(await redis.exists(key), 1)
  }
  t.equal(stored.size, names.length, 'no two names share a key')
  t.equal(keys.rateLimit('member:000.00.00.H49'), 'rltest:rl:{member:000.00.00.H49}', 'names the hub makes stay readable')

  // Outside the contract (rate 0, infinite) and at its edges: decided as the local limiter decides them.
  const reference = local(t)
  const policies: RateLimit[] = [{ ratePerSecond: 0, burst: 5 }, { ratePerSecond: Infinity, burst: 1 }, { ratePerSecond: 1, burst: Infinity },
    { ratePerSecond: 1e-3, burst: 1 }, { ratePerSecond: 1e-3, burst: 10_000_000 }]
  for (const [i, edge] of policies.entries()) {
    for (let step = 0; step < 3; step++) {
      const at = now + step * 10
      t.strictSame(await limiter.consume(`member:edge-${i}`, edge, at), reference.consume(`member:edge-${i}`, edge, at), `${JSON.stringify(edge)} #${step + 1}`)
    }
  }
  // The contract's maximum on Redis time: a million a second, ten million at once.
  const huge = { ratePerSecond: 1_000_000, burst: 10_000_000 }
  const timed = new RedisRateLimiter({ redis, keys })
  const decisions = await Promise.all(Array.from({ length: 200 }, () => timed.consume('member:huge', huge, Date.now())))
  t.ok(decisions.every((d) => d.allowed && d.remaining >= huge.burst - 200 && d.remaining < huge.burst), 'all admitted, remaining counts down from 10 000 000')
  const ttl = await redis.pttl(keys.rateLimit('member:huge'))
  t.ok(ttl === -2 || (ttl >= 0 && ttl <= 2), `and the key expires within 2 ms (PTTL ${ttl}; -2: gone already)`)
})
