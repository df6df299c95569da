// Per-agency rate limits on the exchange path: the grant's own quota when it has one, then the
// member's policy; the decision becomes RateLimit headers, or a 429 with Retry-After.
import type { FastifyReply } from 'fastify'
import { NdxpError } from '../../contracts/errors.js'
import type { Member } from '../../contracts/registry.js'
import { deltaSeconds, rateLimitHeaders, type RateLimiter } from '../rate-limit/limiter.js'
import type { GrantEntry } from '../registry-view.js'

export async function applyRateLimits (reply: FastifyReply, limiter: RateLimiter, member: Member, grant: GrantEntry, nowMs: number): Promise<void> {
  if (grant.quota !== undefined) {
    const decision = await limiter.consume(`grant:${grant.grant.id}`, grant.quota, nowMs)
    if (!decision.allowed) {
      throw new NdxpError('client.rate_limited', `the grant's own quota (${grant.quota.ratePerSecond}/s, burst ${grant.quota.burst}) is used up; retry after ${deltaSeconds(decision.retryAfterSeconds, 1)} s`, {
        headers: rateLimitHeaders('grant', grant.quota, decision),
      })
    }
  }
  const decision = await limiter.consume(`member:${member.code}`, member.rateLimit, nowMs)
  const headers = rateLimitHeaders('member', member.rateLimit, decision)
  if (!decision.allowed) {
    throw new NdxpError('client.rate_limited', `${member.code} is over its rate limit (${member.rateLimit.ratePerSecond}/s, burst ${member.rateLimit.burst}); retry after ${deltaSeconds(decision.retryAfterSeconds, 1)} s`, { headers })
  }
  reply.headers(headers)
}
