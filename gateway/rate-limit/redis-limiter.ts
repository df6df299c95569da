// The cluster-wide rate limiter: the GCRA step of gcra.ts as one Lua script, so that every hub replica
// decides on the same state in one atomic Redis command (EVALSHA; ioredis sends EVAL once per
// connection, then the digest). Auto-pipelining on the connection batches concurrent decisions.
import type { Redis } from 'ioredis'
import type { RedisKeys } from '../../common/redis.js'
import type { RateLimit } from '../../contracts/registry.js'
import { gcraStep } from './gcra.js'
import type { RateDecision, RateLimiter } from './limiter.js'

/**
 * gcraStep, line for line, in Lua: both run IEEE doubles, and every number crosses the boundary as
 * `%.17g` text (ARGV in, state and replies out) because Redis truncates Lua numbers to integers.
 * Without ARGV[3] the script reads the server's TIME (allowed before writes since Redis 5: scripts
 * replicate their effects), so replicas with skewed clocks still share one timeline. The key holds the
 * time and the emission interval that set it (policies change under live keys; see gcra.ts), and
 * expires when its bucket is full again (plus the slack below): an idle agency leaves nothing behind,
 * and a rejection writes nothing unless a policy change moved the key's time.
 */
const GCRA_LUA = `
local function fmt (x) return string.format('%.17g', x) end
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
-- Slack on the key's TTL. The caller read its clock before the command crossed the network, and an
-- early expiry would forget budget already spent: a second more. Redis's own clock: one millisecond,
-- as expiry counts from the command's whole-millisecond start.
local slack = 1000
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
  slack = 1
end
local interval = 1000 / rate
local capacity = interval * burst
local base = now
local moved = false
local stored = redis.call('GET', KEYS[1])
if stored then
  -- "<tat> <interval>"; a key written before intervals were kept holds the time alone.
  local tatText, intervalText = string.match(stored, '^(%S+) (%S+)$')
  local previous = tonumber(tatText or stored)
  local previousInterval = tonumber(intervalText or '')
  if previous ~= nil and not (previous < now) then
    local used = previous - now
    if previousInterval ~= nil and previousInterval ~= interval then
      used = used / previousInterval * interval
      moved = true
    end
    if used > capacity then
      used = capacity
      moved = true
    end
    base = now + used
  end
end
local tat = base + interval
local ahead = tat - now
if ahead > capacity + 1e-9 then
  if moved then redis.call('SET', KEYS[1], fmt(base) .. ' ' .. fmt(interval), 'PX', math.ceil(base - now) + slack) end
  return {0, '0', fmt(base - now), fmt(ahead - capacity)}
end
redis.call('SET', KEYS[1], fmt(tat) .. ' ' .. fmt(interval), 'PX', math.ceil(ahead) + slack)
return {1, fmt(math.floor((capacity - ahead) / interval + 1e-9)), fmt(ahead), '0'}
`

const COMMAND = 'ndxpGcra'
type GcraReply = [allowed: number, remaining: string, resetMs: string, retryAfterMs: string]
type GcraCommand = (key: string, rate: string, burst: string, nowMs: string) => Promise<GcraReply>

export interface RedisRateLimiterOptions {
  /** A connection made by connectRedis (no offline queue, a command timeout); the caller closes it. */
  readonly redis: Redis
  readonly keys: RedisKeys
  /**
   * Whose clock the decision uses. `redis` (default): the server's TIME, one clock for all replicas.
   * `caller`: the `nowMs` passed to consume — for tests that script time, or hubs with trusted NTP.
   */
  readonly clock?: 'redis' | 'caller'
}

// C's %g writes infinities as `inf`, which Number() does not read (an infinite burst leaves infinite room).
const luaNumber = (text: string): number => text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text)

export class RedisRateLimiter implements RateLimiter {
  private readonly gcra: GcraCommand
  private readonly keys: RedisKeys
  private readonly callerClock: boolean
  private readonly probeKey: string

  constructor (options: RedisRateLimiterOptions) {
    options.redis.defineCommand(COMMAND, { lua: GCRA_LUA, numberOfKeys: 1 })
    // defineCommand adds a method ioredis's types cannot know about.
    const command = (options.redis as unknown as Record<typeof COMMAND, GcraCommand>)[COMMAND]
    this.gcra = command.bind(options.redis)
    this.keys = options.keys
    this.callerClock = options.clock === 'caller'
    // A NUL cannot occur in a bucket the hub makes, so the probe never touches an agency's budget.
    this.probeKey = options.keys.rateLimit('\u0000probe')
  }

  async consume (key: string, policy: RateLimit, nowMs: number): Promise<RateDecision> {
    const interval = 1000 / policy.ratePerSecond
    // Rates the contract forbids (0, infinite) make an infinite or NaN arrival time that Redis can
    // neither store nor expire; gcraStep decides them as the local limiter does, where that state
    // changes no later decision.
    if (!(interval > 0 && Number.isFinite(interval))) return gcraStep(undefined, policy, nowMs).decision
    const [allowed, remaining, resetMs, retryAfterMs] =
      await this.gcra(this.keys.rateLimit(key), String(policy.ratePerSecond), String(policy.burst), this.callerClock ? String(nowMs) : '')
    return { allowed: allowed === 1, remaining: luaNumber(remaining), resetSeconds: luaNumber(resetMs) / 1000, retryAfterSeconds: luaNumber(retryAfterMs) / 1000 }
  }

  /** Runs the script once on a key of its own: proves connection, script and writes all work again. */
  async probe (): Promise<void> {
    await this.gcra(this.probeKey, '1000000', '1', '')
  }

  // The connection is the caller's: several parts of the hub share it.
  async close (): Promise<void> {}
}
