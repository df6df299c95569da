// The admin-token check for management routes: constant-time, and a problem+json 401 on failure.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { NdxpError } from '../contracts/errors.js'

function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** Compares digests so that neither the token's length nor its prefix leaks through timing. */
export function tokenMatches (presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false
  return timingSafeEqual(digest(presented), digest(expected))
}

export function bearerToken (authorization: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return match?.[1]
}

/** A preHandler that admits only requests carrying `Authorization: Bearer <admin token>`. */
export function requireAdminToken (adminToken: string) {
  return async function checkAdminToken (request: FastifyRequest): Promise<void> {
    if (!tokenMatches(bearerToken(request.headers.authorization), adminToken)) {
      throw new NdxpError('admin.unauthenticated')
    }
  }
}
