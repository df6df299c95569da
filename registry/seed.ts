// The default federation (seed.json): validated as a whole, then applied to a store idempotently,
// with development keys derived from a dev secret so they are the same on every run.
import { z } from 'zod'
import { NdxpError } from '../contracts/errors.js'
import {
  endpointKey, formatClientId, formatServiceId, grantCreateSchema, instanceSchema, memberCreateSchema, nodeCreateSchema,
  parseClientId, parseServiceId, serviceCreateSchema, subsystemCreateSchema,
} from '../contracts/registry.js'
import { deriveDevApiKey, hashApiKey } from './keys.js'
import { parseInput, type RegistryStore } from './store.js'
import seedJson from './seed.json' with { type: 'json' }

/**
 * The documented, public development secret. Keys derived from it are known to everyone who can
 * read this file, so a production process refuses to seed with it.
 */
export const DEFAULT_DEV_SECRET = 'ndxp-sim development secret: not for production'
/** Seeded keys carry this label; a key with it that the current secret no longer derives is revoked. */
export const DEV_KEY_LABEL = 'development key (seed)'
const MIN_DEV_SECRET_LENGTH = 16

const identifier = <T>(parse: (text: string) => T) => z.string().transform((text, ctx): T => {
  try {
    return parse(text)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message })
    return z.NEVER
  }
})

const seedGrantSchema = z.strictObject({
  client: identifier(parseClientId),
  service: identifier(parseServiceId),
  endpoints: grantCreateSchema.shape.endpoints,
  quota: grantCreateSchema.shape.quota,
})

/** Store-shaped lists, so every entry is checked by the same schema the store applies. */
export const seedSchema = z.strictObject({
  $comment: z.string().optional(),
  instance: instanceSchema,
  members: z.array(memberCreateSchema),
  subsystems: z.array(subsystemCreateSchema),
  nodes: z.array(nodeCreateSchema),
  services: z.array(serviceCreateSchema),
  grants: z.array(seedGrantSchema),
}).superRefine((seed, ctx) => {
  const problem = (path: Array<string | number>, message: string): void => { ctx.addIssue({ code: 'custom', path, message }) }
  const unique = <T>(list: T[], name: string, key: (item: T) => string): Set<string> => {
    const seen = new Set<string>()
    list.forEach((item, i) => {
      if (seen.has(key(item))) problem([name, i], `duplicate ${key(item)}`)
      seen.add(key(item))
    })
    return seen
  }
  const classes = new Map(seed.members.map((m) => [m.code, m.memberClass]))
  unique(seed.members, 'members', (m) => m.code)
  const subsystems = unique(seed.subsystems, 'subsystems', (s) => `${s.memberCode}/${s.code}`)
  const nodes = unique(seed.nodes, 'nodes', (n) => n.id)
  const services = new Map(seed.services.map((s) => [`${s.memberCode}/${s.subsystemCode}/${s.serviceCode}`, s]))
  unique(seed.services, 'services', (s) => `${s.memberCode}/${s.subsystemCode}/${s.serviceCode}`)
  unique(seed.grants, 'grants', (g) => `${formatClientId(g.client)} → ${formatServiceId(g.service)}`)
  seed.subsystems.forEach((s, i) => { if (!classes.has(s.memberCode)) problem(['subsystems', i, 'memberCode'], `no member ${s.memberCode}`) })
  seed.nodes.forEach((n, i) => { if (!classes.has(n.memberCode)) problem(['nodes', i, 'memberCode'], `no member ${n.memberCode}`) })
  seed.services.forEach((s, i) => {
    if (!subsystems.has(`${s.memberCode}/${s.subsystemCode}`)) problem(['services', i, 'subsystemCode'], `no subsystem ${s.memberCode}/${s.subsystemCode}`)
    if (!nodes.has(s.nodeId)) problem(['services', i, 'nodeId'], `no node ${s.nodeId}`)
  })
  seed.grants.forEach((g, i) => {
    for (const [side, id] of [['client', g.client], ['service', g.service]] as const) {
      if (id.instance !== seed.instance) problem(['grants', i, side], `instance ${id.instance} is not the seed's ${seed.instance}`)
      if (classes.get(id.memberCode) !== id.memberClass) problem(['grants', i, side], `no ${id.memberClass} member ${id.memberCode}`)
    }
    if (!subsystems.has(`${g.client.memberCode}/${g.client.subsystemCode}`)) problem(['grants', i, 'client'], `no subsystem ${formatClientId(g.client)}`)
    const service = services.get(`${g.service.memberCode}/${g.service.subsystemCode}/${g.service.serviceCode}`)
    if (service === undefined) return problem(['grants', i, 'service'], `no service ${formatServiceId(g.service)}`)
    const offered = new Set(service.endpoints.map(endpointKey))
    g.endpoints?.forEach((e, j) => { if (!offered.has(endpointKey(e))) problem(['grants', i, 'endpoints', j], `${endpointKey(e)} is not an endpoint of ${formatServiceId(g.service)}`) })
  })
})
export type Seed = z.output<typeof seedSchema>

/** Validates a seed document; throws `client.bad_request` listing every problem with its path. */
export function parseSeed (document: unknown): Seed {
  return parseInput(seedSchema, document, 'seed')
}

/** The federation in registry/seed.json. */
export function defaultSeed (): Seed {
  return parseSeed(seedJson)
}

export interface ApplySeedOptions {
  devSecret: string
  /** The caller's NODE_ENV; `production` refuses the default dev secret. Passed in, never read here. */
  nodeEnv: string | undefined
}

export interface DevKey {
  memberCode: string
  memberName: string
  key: string
  /** False when an admin revoked this development key; the seed does not undo that. */
  active: boolean
}

export interface SeedReport {
  /** Records the seed created on this run. */
  created: number
  /** Records that were already there and were left exactly as they are. */
  existing: number
  /** Development keys derived from an earlier dev secret, revoked on this run. */
  revokedKeys: number
  keys: DevKey[]
}

/** Throws `client.bad_request` if the secret is too short, or is the default one in production. */
export function assertDevSecretAllowed (devSecret: unknown, nodeEnv: string | undefined): void {
  if (typeof devSecret !== 'string' || devSecret.length < MIN_DEV_SECRET_LENGTH) {
    throw new NdxpError('client.bad_request', `The development secret must be a string of at least ${MIN_DEV_SECRET_LENGTH} characters.`)
  }
  if (nodeEnv === 'production' && devSecret === DEFAULT_DEV_SECRET) {
    throw new NdxpError('client.bad_request', 'Refusing to seed with the public default development secret in production: anyone could derive the seeded API keys. Configure a development secret of your own, or do not seed.')
  }
}

/**
 * Creates whatever of the seed is missing and never changes or deletes what exists, so admin changes
 * survive a restart (a deleted seeded record does come back). Safe to run from several replicas at
 * once: losing a creation race counts as "existing".
 */
export async function applySeed (store: RegistryStore, seed: Seed, options: ApplySeedOptions): Promise<SeedReport> {
  assertDevSecretAllowed(options.devSecret, options.nodeEnv)
  if (seed.instance !== store.instance) {
    throw new NdxpError('client.bad_request', `The seed describes instance ${seed.instance} but the store serves ${store.instance}.`)
  }
  const report: SeedReport = { created: 0, existing: 0, revokedKeys: 0, keys: [] }
  const ensure = async (create: () => Promise<unknown>): Promise<void> => {
    try {
      await create()
      report.created++
    } catch (error) {
      if (!(error instanceof NdxpError && error.code === 'client.conflict')) throw error
      report.existing++
    }
  }
  for (const member of seed.members) await ensure(() => store.createMember(member))
  for (const subsystem of seed.subsystems) await ensure(() => store.createSubsystem(subsystem))
  for (const node of seed.nodes) await ensure(() => store.createNode(node))
  for (const service of seed.services) await ensure(() => store.createService(service))
  for (const grant of seed.grants) await ensure(() => store.createGrant(grant))
  for (const member of seed.members) {
    const key = deriveDevApiKey(options.devSecret, member.code)
    const hash = hashApiKey(key)
    const keys = await store.listApiKeys(member.code)
    let mine = keys.find((k) => k.hash === hash)
    if (mine === undefined) await ensure(async () => { mine = await store.createApiKey({ memberCode: member.code, hash, label: DEV_KEY_LABEL }) })
    else report.existing++
    for (const stale of keys.filter((k) => k.label === DEV_KEY_LABEL && k.hash !== hash && k.revokedAt === undefined)) {
      await store.revokeApiKey(stale.id)
      report.revokedKeys++
    }
    const active = mine === undefined ? (await store.findMemberByKeyHash(hash)) !== undefined : mine.revokedAt === undefined
    report.keys.push({ memberCode: member.code, memberName: member.name, key, active })
  }
  return report
}
