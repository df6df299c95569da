// The one place that reads process.env: every NDXP_* setting, validated once with zod at start.
// A bad value stops the process with a message naming the setting and what it accepts.
import { z } from 'zod'
import { DEFAULT_DEV_SECRET } from '../registry/seed.js'

const port = z.coerce.number().int().min(0).max(65_535)

export const settingsSchema = z.object({
  NDXP_HOST: z.string().min(1).default('127.0.0.1'),
  NDXP_DATA_DIR: z.string().min(1).default('./data'),
  NDXP_DATASET_SEED: z.string().min(1).max(200).default('ndxp-2026'),
  NDXP_POPULATION: z.coerce.number().int().min(1_000).max(200_000_000).default(98_000_000),
  NDXP_ADMIN_TOKEN: z.string().min(8, 'must be at least 8 characters').default('ndxp-dev-admin-token'),
  NDXP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NDXP_NODE_PORT_BASE: port.default(8101),
  NDXP_HUB_PORT: port.default(8080),
  NDXP_HUB_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8080' }).optional()
    .describe('Where nodes register and heartbeat, and where the civil-status node obtains personal IDs'),
  NDXP_NODE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()
    .describe('The URL a node advertises to the hub (default: http://<host>:<port>)'),
  NDXP_NODE_API_KEY: z.string().min(8).optional().describe("The node owner's agency key for registering with the hub (default: the seeded development key)"),
  NDXP_GATEWAY_ID: z.string().min(1).max(100).optional().describe('Names this hub replica in transaction records (default: host name and pid)'),
  NDXP_DEV_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEFAULT_DEV_SECRET)
    .describe('Derives the seeded members\' development keys; refused in production'),
  NDXP_USER_ID_SECRET: z.string().min(16, 'must be at least 16 characters').optional()
    .describe('Keys the HMAC of X-Road-UserId in records (default: derived from the admin token)'),
  NDXP_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  NDXP_STORE: z.enum(['sqlite', 'redis']).default('sqlite')
    .describe('Where the hub keeps registry, rate-limit state and transaction log: sqlite (one hub) or redis (replicas share it)'),
  NDXP_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' }).optional(),
  NDXP_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1–64 of A-Z a-z 0-9 . _ -').default('ndxp')
    .describe('Prefixes every Redis key, so that several deployments can share one Redis'),
  NDXP_RATE_LIMIT_FALLBACK: z.enum(['open', 'closed', 'local']).default('local')
    .describe('Rate limiting while Redis is unreachable: admit all, refuse all (503), or limit locally at this replica\'s share'),
  NDXP_RATE_LIMIT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(250)
    .describe('A rate-limit decision Redis has not answered within this falls back to NDXP_RATE_LIMIT_FALLBACK'),
  NDXP_REGISTRY_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(1000)
    .describe('How often a hub asks its registry store for changes it was not told of (a Redis store also announces them)'),
  NDXP_FAULTS: z.string().optional().describe('Fault rules to load at start: a JSON array, or @path to a JSON file'),
  NODE_ENV: z.string().optional(),
})
export type Settings = z.infer<typeof settingsSchema>

export class SettingsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SettingsError'
  }
}

/** Parses settings from an environment (process.env in production, a plain object in tests). */
export function loadSettings (environment: Record<string, string | undefined>, overrides: Partial<Record<keyof Settings, string>> = {}): Settings {
  const relevant: Record<string, string | undefined> = {}
  // An empty variable counts as unset, as compose files and shells often leave them.
  for (const [key, value] of Object.entries(environment)) if ((key.startsWith('NDXP_') || key === 'NODE_ENV') && value !== '') relevant[key] = value
  const result = settingsSchema.safeParse({ ...relevant, ...overrides })
  if (result.success) {
    if (result.data.NDXP_STORE === 'redis' && result.data.NDXP_REDIS_URL === undefined) {
      throw new SettingsError('NDXP_REDIS_URL: required with NDXP_STORE=redis (--store redis); e.g. --redis-url redis://127.0.0.1:6379')
    }
    if (result.data.NODE_ENV === 'production' && result.data.NDXP_ADMIN_TOKEN === 'ndxp-dev-admin-token') {
      throw new SettingsError('NDXP_ADMIN_TOKEN: set a real admin token; the development default is refused when NODE_ENV=production')
    }
    return result.data
  }
  const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new SettingsError(`invalid settings:\n  ${lines.join('\n  ')}`)
}
