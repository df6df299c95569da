// Agency API keys: random bearer secrets shown once at creation; the store keeps only their SHA-256.
import { createHmac, hash, randomBytes } from 'node:crypto'

export const API_KEY_PREFIX = 'ndxp_'
const KEY_BYTES = 32
const API_KEY_RE = /^ndxp_[A-Za-z0-9_-]{43}$/

export interface IssuedApiKey {
  /** The bearer secret: give it to the agency once, never store it. */
  key: string
  /** What the store keeps and looks keys up by. */
  hash: string
}

/**
 * A fresh key: the prefix makes a leaked key recognisable to secret scanners, the 256 random bits
 * make guessing hopeless. `random` is injectable for tests only.
 */
export function generateApiKey (random: (size: number) => Buffer = randomBytes): IssuedApiKey {
  const key = API_KEY_PREFIX + random(KEY_BYTES).toString('base64url')
  return { key, hash: hashApiKey(key) }
}

/**
 * SHA-256, hex. A fast unsalted hash is right here, unlike for passwords: the key is 256 random bits,
 * so there is nothing to brute-force, and the hub must look a key up on every request.
 */
export function hashApiKey (key: string): string {
  // The one-shot form: a third of the cost of a Hash object, and this runs on every exchange.
  return hash('sha256', key, 'hex')
}

/** Cheap shape check before hashing, so junk credentials can be told apart from unknown keys. */
export function isWellFormedApiKey (value: unknown): value is string {
  return typeof value === 'string' && API_KEY_RE.test(value)
}

/**
 * A development key that is the same on every run and every machine for the same secret, so
 * `ndxp up` can print it each time: HMAC-SHA256(devSecret, label + member code). Anyone who knows
 * the secret knows the keys; that is why production refuses the default secret (see seed.ts).
 */
export function deriveDevApiKey (devSecret: string, memberCode: string): string {
  const mac = createHmac('sha256', devSecret).update(`ndxp-dev-api-key/v1/${memberCode}`, 'utf8').digest()
  return API_KEY_PREFIX + mac.toString('base64url')
}
