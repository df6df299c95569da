// Every registry change applied to a draft of the document, with the SQLite store's semantics: the same
// checks in the same order, the same cascades and the same messages. Arguments arrive validated.
import type { z } from 'zod'
import {
  formatClientId, formatServiceId, quote, type ApiKey, type ClientId, type Grant, type Member, type NodeHealth,
  type RegistryNode, type Service, type Subsystem, type grantCreateSchema, type grantUpdateSchema, type memberUpdateSchema,
  memberSchema, type newApiKeySchema, type nodeCreateSchema, type serviceUpdateSchema,
} from '../contracts/registry.js'
import {
  compareItems, findApiKey, findGrant, findMember, findNode, findService, findSubsystem, sameService, sameSubsystem,
  type Collection, type Item, type RegistryDocument,
} from './document.js'
import {
  applyGrantUpdate, applyServiceUpdate, assertEndpointsKept, assertEndpointsOffered, assertGrantParty, assertSameInstance,
  conflict, describeService, describeSubsystem, notFound, parseInput, type ServiceRef, type SubsystemRef,
} from './store.js'

/** A private copy of the document being changed; every edit goes through it, so it knows whether anything did. */
export class Draft {
  changed = false

  constructor (readonly doc: RegistryDocument, readonly now: () => string, readonly newId: () => string) {}

  insert<C extends Collection> (collection: C, item: Item<C>): void {
    const list = this.doc[collection] as Array<Item<C>>
    let at = list.length
    while (at > 0 && compareItems(collection, list[at - 1] as Item<C>, item) > 0) at--
    list.splice(at, 0, item)
    this.changed = true
  }

  /** Keys never change, so the replacement keeps its place in the order. */
  replace<C extends Collection> (collection: C, current: Item<C>, next: Item<C>): void {
    const list = this.doc[collection] as Array<Item<C>>
    list[list.indexOf(current)] = next
    this.changed = true
  }

  remove<C extends Collection> (collection: C, doomed: (item: Item<C>) => boolean): void {
    const list = this.doc[collection] as Array<Item<C>>
    let kept = 0
    for (const item of list) if (!doomed(item)) list[kept++] = item
    if (kept < list.length) this.changed = true
    list.length = kept
  }
}

const requireMember = (doc: RegistryDocument, code: string): Member => {
  const member = findMember(doc, code)
  if (member === undefined) throw notFound(`Member ${quote(code)}`)
  return member
}
const requireNode = (doc: RegistryDocument, id: string): RegistryNode => {
  const node = findNode(doc, id)
  if (node === undefined) throw notFound(`Node ${quote(id)}`)
  return node
}
const subsystemRef = (s: Subsystem): SubsystemRef => ({ memberCode: s.memberCode, subsystemCode: s.code })
const holds = (g: Grant, client: SubsystemRef): boolean => sameSubsystem(g.client, client)

// ------------------------------------------------------------------ members
export function createMember (d: Draft, m: Member): Member {
  if (findMember(d.doc, m.code) !== undefined) throw conflict(`Member ${quote(m.code)} already exists.`)
  d.insert('members', m)
  return m
}

export function updateMember (d: Draft, code: string, changes: z.output<typeof memberUpdateSchema>): Member {
  const current = requireMember(d.doc, code)
  const next = parseInput(memberSchema, { ...current, ...changes }, 'member')
  d.replace('members', current, next)
  return next
}

export function deleteMember (d: Draft, code: string): void {
  requireMember(d.doc, code)
  const nodes = new Set(d.doc.nodes.filter((n) => n.memberCode === code).map((n) => n.id))
  const hosted = d.doc.services.filter((s) => nodes.has(s.nodeId) && s.memberCode !== code).slice(0, 5)
  if (hosted.length > 0) {
    throw conflict(`Member ${quote(code)} hosts services of other members on its nodes (${hosted.map((s) => `${describeService(s)} on node ${s.nodeId}`).join(', ')}); move or delete them first.`)
  }
  d.remove('grants', (g) => g.client.memberCode === code || g.service.memberCode === code)
  d.remove('services', (s) => s.memberCode === code)
  d.remove('nodes', (n) => n.memberCode === code)
  d.remove('apiKeys', (k) => k.memberCode === code)
  d.remove('subsystems', (s) => s.memberCode === code)
  d.remove('members', (m) => m.code === code)
}

// ------------------------------------------------------------------ subsystems
export function createSubsystem (d: Draft, s: Subsystem): Subsystem {
  requireMember(d.doc, s.memberCode)
  if (findSubsystem(d.doc, subsystemRef(s)) !== undefined) throw conflict(`${describeSubsystem(subsystemRef(s))} already exists.`)
  d.insert('subsystems', s)
  return s
}

export function updateSubsystem (d: Draft, ref: SubsystemRef, name: string): Subsystem {
  const current = findSubsystem(d.doc, ref)
  if (current === undefined) throw notFound(describeSubsystem(ref))
  const next = { ...current, name }
  d.replace('subsystems', current, next)
  return next
}

export function deleteSubsystem (d: Draft, ref: SubsystemRef): void {
  if (findSubsystem(d.doc, ref) === undefined) throw notFound(describeSubsystem(ref))
  d.remove('grants', (g) => holds(g, ref) || sameSubsystem(g.service, ref))
  d.remove('services', (s) => sameSubsystem(s, ref))
  d.remove('subsystems', (s) => sameSubsystem(subsystemRef(s), ref))
}

// ------------------------------------------------------------------ API keys
export function createApiKey (d: Draft, k: z.output<typeof newApiKeySchema>): ApiKey {
  requireMember(d.doc, k.memberCode)
  if (d.doc.apiKeys.some((other) => other.hash === k.hash)) throw conflict('A key with this hash is already registered; generate a new key.')
  const key: ApiKey = { id: d.newId(), memberCode: k.memberCode, hash: k.hash, label: k.label, createdAt: d.now() }
  d.insert('apiKeys', key)
  return key
}

export function revokeApiKey (d: Draft, id: string): ApiKey {
  const current = findApiKey(d.doc, id)
  if (current === undefined) throw notFound(`API key ${quote(id)}`)
  if (current.revokedAt !== undefined) return current
  const next = { ...current, revokedAt: d.now() }
  d.replace('apiKeys', current, next)
  return next
}

export function deleteApiKey (d: Draft, id: string): void {
  if (findApiKey(d.doc, id) === undefined) throw notFound(`API key ${quote(id)}`)
  d.remove('apiKeys', (k) => k.id === id)
}

// ------------------------------------------------------------------ nodes
export function createNode (d: Draft, n: z.output<typeof nodeCreateSchema>): RegistryNode {
  requireMember(d.doc, n.memberCode)
  if (findNode(d.doc, n.id) !== undefined) throw conflict(`Node ${quote(n.id)} already exists.`)
  const node: RegistryNode = { ...n, lastHeartbeatAt: null, health: 'unknown' }
  d.insert('nodes', node)
  return node
}

export function updateNode (d: Draft, id: string, baseUrl: string): RegistryNode {
  const current = requireNode(d.doc, id)
  const next = { ...current, baseUrl }
  d.replace('nodes', current, next)
  return next
}

export function deleteNode (d: Draft, id: string): void {
  requireNode(d.doc, id)
  const hosted = d.doc.services.filter((s) => s.nodeId === id).slice(0, 5)
  if (hosted.length > 0) throw conflict(`Node ${quote(id)} hosts ${hosted.map(describeService).join(', ')}; move or delete them first.`)
  d.remove('nodes', (n) => n.id === id)
}

/** `at` is an ISO timestamp in UTC: those compare correctly as strings. */
export function recordHeartbeat (d: Draft, id: string, at: string, health: NodeHealth): RegistryNode {
  const current = requireNode(d.doc, id)
  if (current.lastHeartbeatAt !== null && at < current.lastHeartbeatAt) return current
  const next = { ...current, lastHeartbeatAt: at, health }
  d.replace('nodes', current, next)
  return next
}

// ------------------------------------------------------------------ services
export function createService (d: Draft, s: Service): Service {
  if (findSubsystem(d.doc, s) === undefined) throw notFound(describeSubsystem(s))
  requireNode(d.doc, s.nodeId)
  if (findService(d.doc, s) !== undefined) throw conflict(`${describeService(s)} already exists.`)
  d.insert('services', s)
  return s
}

export function updateService (d: Draft, ref: ServiceRef, changes: z.output<typeof serviceUpdateSchema>): Service {
  const current = findService(d.doc, ref)
  if (current === undefined) throw notFound(describeService(ref))
  const next = applyServiceUpdate(current, changes)
  requireNode(d.doc, next.nodeId)
  assertEndpointsKept(current, next.endpoints, d.doc.grants.filter((g) => sameService(g.service, ref)))
  d.replace('services', current, next)
  return next
}

export function deleteService (d: Draft, ref: ServiceRef): void {
  if (findService(d.doc, ref) === undefined) throw notFound(describeService(ref))
  d.remove('grants', (g) => sameService(g.service, ref))
  d.remove('services', (s) => sameService(s, ref))
}

// ------------------------------------------------------------------ grants
function requireGrantParty (doc: RegistryDocument, id: ClientId, shown: string): void {
  assertGrantParty(id, shown, findMember(doc, id.memberCode), findSubsystem(doc, id) !== undefined)
}

export function createGrant (d: Draft, g: z.output<typeof grantCreateSchema>): Grant {
  assertSameInstance(d.doc.instance, [g.client, g.service])
  requireGrantParty(d.doc, g.client, `Client ${quote(formatClientId(g.client))}`)
  requireGrantParty(d.doc, g.service, `Service ${quote(formatServiceId(g.service))}`)
  const service = findService(d.doc, g.service)
  if (service === undefined) throw notFound(`Service ${quote(formatServiceId(g.service))}`)
  assertEndpointsOffered(service, g.endpoints)
  const existing = d.doc.grants.find((other) => holds(other, g.client) && sameService(other.service, g.service))
  if (existing !== undefined) throw conflict(`${quote(formatClientId(g.client))} already holds grant ${existing.id} to ${quote(formatServiceId(g.service))}; update that grant instead.`)
  const grant: Grant = { id: d.newId(), client: g.client, service: g.service, ...(g.endpoints && { endpoints: g.endpoints }), ...(g.quota && { quota: g.quota }), createdAt: d.now() }
  d.insert('grants', grant)
  return grant
}

export function updateGrant (d: Draft, id: string, changes: z.output<typeof grantUpdateSchema>): Grant {
  const current = findGrant(d.doc, id)
  if (current === undefined) throw notFound(`Grant ${quote(id)}`)
  const service = findService(d.doc, current.service)
  if (service !== undefined) assertEndpointsOffered(service, changes.endpoints)
  const next = applyGrantUpdate(current, changes)
  d.replace('grants', current, next)
  return next
}

export function deleteGrant (d: Draft, id: string): void {
  if (findGrant(d.doc, id) === undefined) throw notFound(`Grant ${quote(id)}`)
  d.remove('grants', (g) => g.id === id)
}
