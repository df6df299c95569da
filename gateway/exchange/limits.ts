// Per-agency rate limits on the exchange path: the grant's own quota when it has one, then the
// member's policy; the decision becomes RateLimit headers, or a 429 with Retry-After.
import type { FastifyReply } from 'fastify'
import { NdxpError } from '../../contracts/errors.js'
import type { Member } from '../../contracts/registry.js'
import { deltaSeconds, rateLimitHeaders, type RateDecision, type RateLimiter } from '../rate-limit/limiter.js'
import type { GrantEntry } from '../registry-view.js'

/**
 * Undefined once both limits let the call through, when the limiter answered at once (the in-process
 * one does); a promise when it had to ask its store (Redis). The exchange path then awaits only when
 * there is something to wait for: an await costs a turn of the microtask queue on every exchange.
 */
export function applyRateLimits (reply: FastifyReply, limiter: RateLimiter, member: Member, memberKey: string, grant: GrantEntry, nowMs: number): Promise<void> | undefined {
  const quota = grant.quota
  if (quota !== undefined) {
    const decided = limiter.consume(grant.quotaKey, quota, nowMs)
    if (decided instanceof Promise) {
      return decided.then((decision) => {
        checkGrantQuota(quota, decision)
        return limitMember(reply, limiter, member, memberKey, nowMs)
      })
    }
    checkGrantQuota(quota, decided)
  }
  return limitMember(reply, limiter, member, memberKey, nowMs)
}

function limitMember (reply: FastifyReply, limiter: RateLimiter, member: Member, memberKey: string, nowMs: number): Promise<void> | undefined {
  const decided = limiter.consume(memberKey, member.rateLimit, nowMs)
  if (decided instanceof Promise) return decided.then((decision) => { checkMember(reply, member, decision) })
  checkMember(reply, member, decided)
  return undefined
}

function checkGrantQuota (quota: NonNullable<GrantEntry['quota']>, decision: RateDecision): void {
  if (!decision.allowed) {
    throw new NdxpError('client.rate_limited', `the grant's own quota (${quota.ratePerSecond}/s, burst ${quota.burst}) is used up; retry after ${deltaSeconds(decision.retryAfterSeconds, 1)} s`, {
      headers: rateLimitHeaders('grant', quota, decision),
    })
  }
}

function checkMember (reply: FastifyReply, member: Member, decision: RateDecision): void {
  const headers = rateLimitHeaders('member', member.rateLimit, decision)
  if (!decision.allowed) {
    throw new NdxpError('client.rate_limited', `${member.code} is over its rate limit (${member.rateLimit.ratePerSecond}/s, burst ${member.rateLimit.burst}); retry after ${deltaSeconds(decision.retryAfterSeconds, 1)} s`, { headers })
  }
  reply.headers(headers)
}
