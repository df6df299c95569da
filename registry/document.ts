// The registry as one document (what the Redis and in-memory stores keep): its layout, the order each
// collection is kept in (the order the store's lists promise), lookups, and the check applied when a
// stored document is read back, since whatever wrote it may not have been this program.
import { z } from 'zod'
import {
  apiKeySchema, grantSchema, instanceSchema, memberSchema, nodeSchema, serviceSchema, subsystemSchema,
  type ApiKey, type Grant, type Member, type RegistryNode, type Service, type Subsystem,
} from '../contracts/registry.js'
import type { ServiceRef, SubsystemRef } from './store.js'

/** Bumped when the layout changes; a store refuses a document newer than it knows. */
export const DOCUMENT_SCHEMA = 1

/**
 * Entities exactly as the store returns them, each collection sorted by its key. Grants carry whole
 * identifiers: a member's class never changes and a grant never outlives its members, so the copy is
 * always right, and a snapshot is the document as it stands.
 */
export interface RegistryDocument {
  schema: typeof DOCUMENT_SCHEMA
  instance: string
  members: Member[]
  subsystems: Subsystem[]
  apiKeys: ApiKey[]
  nodes: RegistryNode[]
  services: Service[]
  grants: Grant[]
}

export type Collection = Exclude<keyof RegistryDocument, 'schema' | 'instance'>
export type Item<C extends Collection> = RegistryDocument[C][number]

export const emptyDocument = (instance: string): RegistryDocument =>
  ({ schema: DOCUMENT_SCHEMA, instance, members: [], subsystems: [], apiKeys: [], nodes: [], services: [], grants: [] })

// Sort keys as SQLite's ORDER BY has them; identifiers are ASCII, so code-unit order is byte order.
const sortKeys: { [C in Collection]: (item: Item<C>) => string[] } = {
  members: (m) => [m.code],
  subsystems: (s) => [s.memberCode, s.code],
  apiKeys: (k) => [k.memberCode, k.createdAt, k.id],
  nodes: (n) => [n.id],
  services: (s) => [s.memberCode, s.subsystemCode, s.serviceCode],
  grants: (g) => [g.client.memberCode, g.client.subsystemCode, g.service.memberCode, g.service.subsystemCode, g.service.serviceCode],
}

export function compareItems<C extends Collection> (collection: C, a: Item<C>, b: Item<C>): number {
  const key = sortKeys[collection] as (item: Item<C>) => string[]
  const [x, y] = [key(a), key(b)]
  for (let i = 0; i < x.length; i++) {
    const [p = '', q = ''] = [x[i], y[i]]
    if (p !== q) return p < q ? -1 : 1
  }
  return 0
}

/** A deep copy of plain JSON data; faster than structuredClone on V8 for registry-sized documents. */
export function copyJson<T> (value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value)) as T
}

// ------------------------------------------------------------------ lookups
export const sameSubsystem = (a: SubsystemRef, b: SubsystemRef): boolean => a.memberCode === b.memberCode && a.subsystemCode === b.subsystemCode
export const sameService = (a: ServiceRef, b: ServiceRef): boolean => sameSubsystem(a, b) && a.serviceCode === b.serviceCode

export const findMember = (doc: RegistryDocument, code: string): Member | undefined => doc.members.find((m) => m.code === code)
export const findSubsystem = (doc: RegistryDocument, ref: SubsystemRef): Subsystem | undefined =>
  doc.subsystems.find((s) => s.memberCode === ref.memberCode && s.code === ref.subsystemCode)
export const findApiKey = (doc: RegistryDocument, id: string): ApiKey | undefined => doc.apiKeys.find((k) => k.id === id)
export const findNode = (doc: RegistryDocument, id: string): RegistryNode | undefined => doc.nodes.find((n) => n.id === id)
export const findService = (doc: RegistryDocument, ref: ServiceRef): Service | undefined => doc.services.find((s) => sameService(s, ref))
export const findGrant = (doc: RegistryDocument, id: string): Grant | undefined => doc.grants.find((g) => g.id === id)

// ------------------------------------------------------------------ reading a stored document back
/** A stored document this program cannot use; `newer` when a later version of it wrote the document. */
export class DocumentError extends Error {
  constructor (message: string, readonly newer = false) {
    super(message)
    this.name = 'DocumentError'
  }
}

const documentSchema = z.strictObject({
  schema: z.literal(DOCUMENT_SCHEMA), instance: instanceSchema,
  members: z.array(memberSchema), subsystems: z.array(subsystemSchema), apiKeys: z.array(apiKeySchema),
  nodes: z.array(nodeSchema), services: z.array(serviceSchema), grants: z.array(grantSchema),
})

/** Parses and checks a stored document; throws a DocumentError whose message completes "The document …". */
export function decodeDocument (json: string): RegistryDocument {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (error) {
    throw new DocumentError(`is not valid JSON (${(error as Error).message.slice(0, 120)})`)
  }
  const schema = typeof raw === 'object' && raw !== null ? (raw as { schema?: unknown }).schema : undefined
  if (typeof schema === 'number' && schema > DOCUMENT_SCHEMA) {
    throw new DocumentError(`was written by a newer ndxp-sim (document schema ${schema}; this one reads schema ${DOCUMENT_SCHEMA})`, true)
  }
  const result = documentSchema.safeParse(raw)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? 'document' : issue.path.map(String).join('.')
    throw new DocumentError(`does not have the registry document's layout (${where}: ${issue?.message.slice(0, 120) ?? 'invalid'})`)
  }
  const doc = result.data as RegistryDocument
  const problem = inconsistency(doc)
  if (problem !== undefined) throw new DocumentError(`is inconsistent: ${problem}`)
  for (const collection of Object.keys(sortKeys) as Collection[]) {
    (doc[collection] as Array<Item<typeof collection>>).sort((a, b) => compareItems(collection, a, b))
  }
  return doc
}

/** The first broken rule the store's operations rely on: unique keys and no dangling references. */
function inconsistency (doc: RegistryDocument): string | undefined {
  const subsystemKey = (r: SubsystemRef): string => `${r.memberCode}/${r.subsystemCode}`
  const serviceKey = (r: ServiceRef): string => `${subsystemKey(r)}/${r.serviceCode}`
  const duplicate = (what: string, keys: string[]): string | undefined => {
    const seen = new Set<string>()
    const twice = keys.find((key) => seen.size === seen.add(key).size)
    return twice === undefined ? undefined : `${what} ${twice} appears twice`
  }
  const memberClass = new Map(doc.members.map((m) => [m.code, m.memberClass]))
  const subsystems = new Set(doc.subsystems.map((s) => subsystemKey({ memberCode: s.memberCode, subsystemCode: s.code })))
  const nodes = new Set(doc.nodes.map((n) => n.id))
  const services = new Set(doc.services.map(serviceKey))
  const orphan = [...doc.subsystems, ...doc.apiKeys, ...doc.nodes].find((x) => !memberClass.has(x.memberCode))
  const service = doc.services.find((s) => !subsystems.has(subsystemKey(s)) || !nodes.has(s.nodeId))
  const party = (id: Grant['client']): boolean => id.instance === doc.instance && memberClass.get(id.memberCode) === id.memberClass
  const grant = doc.grants.find((g) => !party(g.client) || !party(g.service) || !subsystems.has(subsystemKey(g.client)) || !services.has(serviceKey(g.service)))
  return duplicate('member', doc.members.map((m) => m.code)) ??
    duplicate('subsystem', doc.subsystems.map((s) => subsystemKey({ memberCode: s.memberCode, subsystemCode: s.code }))) ??
    duplicate('API key', doc.apiKeys.map((k) => k.id)) ?? duplicate('API key hash', doc.apiKeys.map((k) => k.hash)) ??
    duplicate('node', doc.nodes.map((n) => n.id)) ?? duplicate('service', doc.services.map(serviceKey)) ??
    duplicate('grant', doc.grants.map((g) => g.id)) ??
    duplicate('grant from client to service', doc.grants.map((g) => `${subsystemKey(g.client)} → ${serviceKey(g.service)}`)) ??
    (orphan && `a subsystem, API key or node of member ${orphan.memberCode}, which does not exist`) ??
    (service && `service ${serviceKey(service)} names a subsystem or node that does not exist`) ??
    (grant && `grant ${grant.id} names a client or service that does not exist (or with another class or instance)`)
}
