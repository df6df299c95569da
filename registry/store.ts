// The registry's persistence contract: one domain-shaped interface every backend implements, plus the
// validation and error helpers they share so that all backends fail the same way.
import { z } from 'zod'
import { NdxpError } from '../contracts/errors.js'
import {
  apiKeyIdSchema, endpointKey, memberCodeSchema, nodeIdSchema, quote, serviceCodeSchema, serviceSchema, subsystemCodeSchema,
  type ApiKey, type ClientId, type Endpoint, type Grant, type GrantCreate, type GrantUpdate, type Member, type MemberCreate,
  type MemberUpdate, type NewApiKey, type NodeCreate, type NodeHealth, type NodeUpdate, type RegistryNode,
  type RegistrySnapshot, type Service, type ServiceCreate, type ServiceUpdate, type Subsystem, type SubsystemCreate,
  type SubsystemUpdate, type grantUpdateSchema, type serviceUpdateSchema,
} from '../contracts/registry.js'

export const subsystemRefSchema = z.strictObject({ memberCode: memberCodeSchema, subsystemCode: subsystemCodeSchema })
export const serviceRefSchema = z.strictObject({ ...subsystemRefSchema.shape, serviceCode: serviceCodeSchema })
export const serviceFilterSchema = z.strictObject({ memberCode: memberCodeSchema, nodeId: nodeIdSchema }).partial()
/** Each side, when given, must match exactly. */
export const grantFilterSchema = z.strictObject({ client: subsystemRefSchema, service: serviceRefSchema }).partial()
/** Schemas for the scalar arguments of store methods. */
export const argSchemas = {
  memberCode: memberCodeSchema, subsystemCode: subsystemCodeSchema, nodeId: nodeIdSchema, keyId: apiKeyIdSchema,
  grantId: z.uuid({ error: 'must be a UUID' }),
}
export type SubsystemRef = z.infer<typeof subsystemRefSchema>
export type ServiceRef = z.infer<typeof serviceRefSchema>
export type ServiceFilter = z.infer<typeof serviceFilterSchema>
export type GrantFilter = z.infer<typeof grantFilterSchema>

/**
 * Every method validates its arguments and rejects with an NdxpError:
 * `client.bad_request` (malformed argument), `client.not_found` (a named record, or the parent a new
 * record needs, does not exist), `client.conflict` (duplicate, or a deletion/change other records
 * still depend on), `server.store_unavailable` (closed or unreachable store).
 * `get*` resolve `undefined` for a well-formed key that does not exist. Lists are sorted (ASCII) by
 * key: members by code, subsystems by member and code, keys by member and creation, nodes by id,
 * services by member, subsystem and code, grants by client and then service.
 *
 * Deletion follows ownership: a member owns its subsystems, keys and nodes; a subsystem owns its
 * services and the grants it holds as a client; a service owns the grants to it. Deleting an owner
 * deletes what it owns, so removing an agency is one call and never leaves half of it behind.
 * Deleting something another owner still refers to is refused: a node that hosts services (also
 * when it would go as part of a member whose node hosts another member's services).
 *
 * `version()` grows by at least one with every change and never otherwise, so caches can compare
 * it and reload. A recorded heartbeat is a change too: hubs judge a node stale by the
 * `lastHeartbeatAt` in their cached snapshot, so it must reach them (a snapshot is small).
 */
export interface RegistryStore {
  /** The X-Road instance served (e.g. `VN`); identifiers naming another instance are refused. */
  readonly instance: string

  createMember (input: MemberCreate): Promise<Member>
  getMember (code: string): Promise<Member | undefined>
  listMembers (): Promise<Member[]>
  updateMember (code: string, patch: MemberUpdate): Promise<Member>
  /** Cascades to everything the member owns (see above). */
  deleteMember (code: string): Promise<void>

  createSubsystem (input: SubsystemCreate): Promise<Subsystem>
  getSubsystem (memberCode: string, code: string): Promise<Subsystem | undefined>
  listSubsystems (memberCode?: string): Promise<Subsystem[]>
  updateSubsystem (memberCode: string, code: string, patch: SubsystemUpdate): Promise<Subsystem>
  /** Cascades to its services, the grants to them, and the grants it holds. */
  deleteSubsystem (memberCode: string, code: string): Promise<void>

  /** Stores a key's hash; generate the key with registry/keys.ts and show it to the caller once. */
  createApiKey (input: NewApiKey): Promise<ApiKey>
  getApiKey (id: string): Promise<ApiKey | undefined>
  listApiKeys (memberCode?: string): Promise<ApiKey[]>
  /** Idempotent: revoking a revoked key returns it unchanged. */
  revokeApiKey (id: string): Promise<ApiKey>
  deleteApiKey (id: string): Promise<void>
  /** The owner of a key that is not revoked. */
  findMemberByKeyHash (hash: string): Promise<Member | undefined>

  createNode (input: NodeCreate): Promise<RegistryNode>
  getNode (id: string): Promise<RegistryNode | undefined>
  listNodes (memberCode?: string): Promise<RegistryNode[]>
  updateNode (id: string, patch: NodeUpdate): Promise<RegistryNode>
  /** Refused with `client.conflict` while services are hosted on it. */
  deleteNode (id: string): Promise<void>
  /** A heartbeat older than the last one recorded is ignored (replicas may deliver out of order). */
  recordHeartbeat (nodeId: string, at: Date, health: NodeHealth): Promise<RegistryNode>

  createService (input: ServiceCreate): Promise<Service>
  getService (ref: ServiceRef): Promise<Service | undefined>
  listServices (filter?: ServiceFilter): Promise<Service[]>
  /** Refused with `client.conflict` if it drops an endpoint a grant is narrowed to. */
  updateService (ref: ServiceRef, patch: ServiceUpdate): Promise<Service>
  /** Cascades to the grants to it. */
  deleteService (ref: ServiceRef): Promise<void>

  /** One grant per client subsystem and service; narrowing endpoints must be endpoints of the service. */
  createGrant (input: GrantCreate): Promise<Grant>
  getGrant (id: string): Promise<Grant | undefined>
  listGrants (filter?: GrantFilter): Promise<Grant[]>
  updateGrant (id: string, patch: GrantUpdate): Promise<Grant>
  deleteGrant (id: string): Promise<void>

  /** The whole registry in one consistent read, with the version it reflects. */
  snapshot (): Promise<RegistrySnapshot>
  version (): Promise<number>
  /** Idempotent; afterwards every method rejects with `server.store_unavailable`. */
  close (): Promise<void>
}

export interface RegistryStoreOptions {
  /** Defaults to `VN`. */
  instance?: string
  /** Where timestamps (key creation and revocation, grant creation) come from. */
  clock?: () => Date
}

/** Validates an argument; a failure becomes `client.bad_request` listing each wrong field. */
export function parseInput<S extends z.ZodType> (schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const fieldErrors = result.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.length === 0 ? subject : issue.path.map(String).join('.'),
    // Messages can echo attacker-chosen keys; keep them to a line.
    message: issue.message.length > 200 ? `${issue.message.slice(0, 200)}…` : issue.message,
  }))
  const detail = `Invalid ${subject}: ${fieldErrors.map((f) => `${f.path}: ${f.message}`).join('; ')}`
  return badRequest(detail, fieldErrors)
}

function badRequest (detail: string, fieldErrors?: NdxpError['fieldErrors']): never {
  throw new NdxpError('client.bad_request', detail, fieldErrors === undefined ? {} : { fieldErrors })
}

export const notFound = (what: string): NdxpError => new NdxpError('client.not_found', `${what} does not exist.`)
export const conflict = (detail: string): NdxpError => new NdxpError('client.conflict', detail)
export const storeClosed = (): NdxpError => new NdxpError('server.store_unavailable', 'The registry store has been closed.')

export const describeSubsystem = (r: SubsystemRef): string => `Subsystem ${quote(`${r.memberCode}/${r.subsystemCode}`)}`
export const describeService = (r: ServiceRef): string => `Service ${quote(`${r.memberCode}/${r.subsystemCode}/${r.serviceCode}`)}`

/** A grant may narrow only to endpoints the service declares (X-Road grants per declared endpoint). */
export function assertEndpointsOffered (service: Service, endpoints: Endpoint[] | undefined | null): void {
  if (endpoints == null) return
  const offered = new Set(service.endpoints.map(endpointKey))
  const unknown = endpoints.filter((e) => !offered.has(endpointKey(e)))
  if (unknown.length > 0) {
    const some = (keys: string[]): string => keys.slice(0, 10).join(', ') + (keys.length > 10 ? ', …' : '')
    badRequest(`${some(unknown.map(endpointKey))} ${unknown.length === 1 ? 'is not an endpoint' : 'are not endpoints'} of ${describeService(service)}; it offers ${some([...offered])}.`)
  }
}

/** An update may not drop endpoints that grants are narrowed to: access would silently disappear. */
export function assertEndpointsKept (service: Service, next: Endpoint[], grants: Grant[]): void {
  const kept = new Set(next.map(endpointKey))
  for (const grant of grants) {
    const dropped = (grant.endpoints ?? []).filter((e) => !kept.has(endpointKey(e)))
    if (dropped.length > 0) {
      throw conflict(`${describeService(service)} would drop ${dropped.map(endpointKey).join(', ')}, still granted by grant ${grant.id}; narrow or delete that grant first.`)
    }
  }
}

/** The service after a validated patch; `openapiUrl: null` removes it. Throws if the result is inconsistent. */
export function applyServiceUpdate (current: Service, patch: z.output<typeof serviceUpdateSchema>): Service {
  const { openapiUrl, ...changes } = patch
  const { openapiUrl: oldUrl, ...rest } = current
  const url = openapiUrl === undefined ? oldUrl : openapiUrl ?? undefined
  return parseInput(serviceSchema, { ...rest, ...changes, ...(url === undefined ? {} : { openapiUrl: url }) }, 'service')
}

/** The grant after a validated patch; `null` clears the narrowing or the quota. */
export function applyGrantUpdate (current: Grant, patch: z.output<typeof grantUpdateSchema>): Grant {
  const { endpoints: oldEndpoints, quota: oldQuota, ...rest } = current
  const endpoints = patch.endpoints === undefined ? oldEndpoints : patch.endpoints ?? undefined
  const quota = patch.quota === undefined ? oldQuota : patch.quota ?? undefined
  return { ...rest, ...(endpoints && { endpoints }), ...(quota && { quota }) }
}

/** Checks one side of a grant part by part, so the error says which part does not exist. */
export function assertGrantParty (id: ClientId, shown: string, member: Member | undefined, subsystemExists: boolean): void {
  if (member === undefined) throw notFound(`${shown}: member ${quote(id.memberCode)}`)
  if (member.memberClass !== id.memberClass) throw new NdxpError('client.not_found', `${shown} does not exist: member ${id.memberCode} is of class ${member.memberClass}, not ${id.memberClass}.`)
  if (!subsystemExists) throw notFound(`${shown}: subsystem ${quote(id.subsystemCode)}`)
}

/** A registry serves one instance; an identifier naming another can never match anything here. */
export function assertSameInstance (instance: string, ids: Array<{ instance: string }>): void {
  for (const id of ids) {
    if (id.instance !== instance) badRequest(`Instance ${quote(id.instance)} is not this registry's instance ${quote(instance)}.`)
  }
}

export function assertHeartbeatTime (at: unknown): Date {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) return badRequest('Invalid heartbeat time: at: must be a valid Date')
  return at
}
