// A RegistryStore over any backend that can read the registry document and change it atomically
// (Redis, memory): argument validation, queries and copies live here, the changes in document-changes.ts.
import { randomUUID } from 'node:crypto'
import {
  grantCreateSchema, grantUpdateSchema, keyHashSchema, memberCreateSchema, memberUpdateSchema, newApiKeySchema,
  nodeCreateSchema, nodeHealthSchema, nodeUpdateSchema, serviceCreateSchema, serviceUpdateSchema, subsystemCreateSchema,
  subsystemUpdateSchema, type ApiKey, type Grant, type Member, type RegistryNode, type RegistrySnapshot, type Service,
  type Subsystem,
} from '../contracts/registry.js'
import * as change from './document-changes.js'
import {
  copyJson, findApiKey, findGrant, findMember, findNode, findService, findSubsystem, sameService, sameSubsystem, type RegistryDocument,
} from './document.js'
import {
  argSchemas, assertHeartbeatTime, grantFilterSchema, parseInput, serviceFilterSchema, serviceRefSchema, storeClosed,
  type RegistryStore, type SubsystemRef,
} from './store.js'

export interface VersionedDocument {
  readonly version: number
  /** Shared with other readers: never mutate it. */
  readonly doc: RegistryDocument
}

/** What a backend provides; it maps its own failures to `server.store_unavailable`. */
export interface DocumentBackend {
  /** The document as it is now (not as it was when last seen) and the version it is at. */
  read (): Promise<VersionedDocument>
  version (): Promise<number>
  /**
   * Runs `apply` on a private copy of the current document and, if it changed anything, stores that
   * copy and bumps the version, atomically; if another writer got there first, runs it again on the
   * new document. Errors thrown by `apply` reject the update and change nothing.
   */
  update<T> (apply: (draft: RegistryDocument) => { value: T, changed: boolean }): Promise<T>
  close (): Promise<void>
}

const memberArg = (v: unknown): string => parseInput(argSchemas.memberCode, v, 'member code')
const optionalMember = (v: unknown): string | undefined => v === undefined ? undefined : memberArg(v)
const subsystemArgs = (memberCode: unknown, code: unknown): SubsystemRef =>
  ({ memberCode: memberArg(memberCode), subsystemCode: parseInput(argSchemas.subsystemCode, code, 'subsystem code') })
const keyIdArg = (v: unknown): string => parseInput(argSchemas.keyId, v, 'key id')
const nodeIdArg = (v: unknown): string => parseInput(argSchemas.nodeId, v, 'node id')
const grantIdArg = (v: unknown): string => parseInput(argSchemas.grantId, v, 'grant id')

export class DocumentRegistryStore implements RegistryStore {
  readonly #backend: DocumentBackend
  readonly #clock: () => Date
  #closed = false

  constructor (backend: DocumentBackend, readonly instance: string, clock: () => Date) {
    this.#backend = backend
    this.#clock = clock
  }

  #open (): void {
    if (this.#closed) throw storeClosed()
  }

  /** Results are copies: callers may mutate them, the document is shared. */
  async #query<T> (fn: (doc: RegistryDocument) => T): Promise<T> {
    const { doc } = await this.#backend.read()
    return copyJson(fn(doc))
  }

  async #change<T> (fn: (draft: change.Draft) => T): Promise<T> {
    const now = (): string => this.#clock().toISOString()
    return copyJson(await this.#backend.update((doc) => {
      const draft = new change.Draft(doc, now, randomUUID)
      const value = fn(draft)
      return { value, changed: draft.changed }
    }))
  }

  // ------------------------------------------------------------------ members
  async createMember (input: unknown): Promise<Member> {
    this.#open()
    const m = parseInput(memberCreateSchema, input, 'member')
    return this.#change((d) => change.createMember(d, m))
  }

  async getMember (code: unknown): Promise<Member | undefined> {
    this.#open()
    const key = memberArg(code)
    return this.#query((doc) => findMember(doc, key))
  }

  async listMembers (): Promise<Member[]> {
    this.#open()
    return this.#query((doc) => doc.members)
  }

  async updateMember (code: unknown, patch: unknown): Promise<Member> {
    this.#open()
    const key = memberArg(code)
    const changes = parseInput(memberUpdateSchema, patch, 'member update')
    return this.#change((d) => change.updateMember(d, key, changes))
  }

  async deleteMember (code: unknown): Promise<void> {
    this.#open()
    const key = memberArg(code)
    return this.#change((d) => change.deleteMember(d, key))
  }

  // ------------------------------------------------------------------ subsystems
  async createSubsystem (input: unknown): Promise<Subsystem> {
    this.#open()
    const s = parseInput(subsystemCreateSchema, input, 'subsystem')
    return this.#change((d) => change.createSubsystem(d, s))
  }

  async getSubsystem (memberCode: unknown, code: unknown): Promise<Subsystem | undefined> {
    this.#open()
    const ref = subsystemArgs(memberCode, code)
    return this.#query((doc) => findSubsystem(doc, ref))
  }

  async listSubsystems (memberCode?: unknown): Promise<Subsystem[]> {
    this.#open()
    const member = optionalMember(memberCode)
    return this.#query((doc) => doc.subsystems.filter((s) => member === undefined || s.memberCode === member))
  }

  async updateSubsystem (memberCode: unknown, code: unknown, patch: unknown): Promise<Subsystem> {
    this.#open()
    const ref = subsystemArgs(memberCode, code)
    const { name } = parseInput(subsystemUpdateSchema, patch, 'subsystem update')
    return this.#change((d) => change.updateSubsystem(d, ref, name))
  }

  async deleteSubsystem (memberCode: unknown, code: unknown): Promise<void> {
    this.#open()
    const ref = subsystemArgs(memberCode, code)
    return this.#change((d) => change.deleteSubsystem(d, ref))
  }

  // ------------------------------------------------------------------ API keys
  async createApiKey (input: unknown): Promise<ApiKey> {
    this.#open()
    const k = parseInput(newApiKeySchema, input, 'API key')
    return this.#change((d) => change.createApiKey(d, k))
  }

  async getApiKey (id: unknown): Promise<ApiKey | undefined> {
    this.#open()
    const keyId = keyIdArg(id)
    return this.#query((doc) => findApiKey(doc, keyId))
  }

  async listApiKeys (memberCode?: unknown): Promise<ApiKey[]> {
    this.#open()
    const member = optionalMember(memberCode)
    return this.#query((doc) => doc.apiKeys.filter((k) => member === undefined || k.memberCode === member))
  }

  async revokeApiKey (id: unknown): Promise<ApiKey> {
    this.#open()
    const keyId = keyIdArg(id)
    return this.#change((d) => change.revokeApiKey(d, keyId))
  }

  async deleteApiKey (id: unknown): Promise<void> {
    this.#open()
    const keyId = keyIdArg(id)
    return this.#change((d) => change.deleteApiKey(d, keyId))
  }

  async findMemberByKeyHash (hash: unknown): Promise<Member | undefined> {
    this.#open()
    const wanted = parseInput(keyHashSchema, hash, 'key hash')
    return this.#query((doc) => {
      const key = doc.apiKeys.find((k) => k.hash === wanted && k.revokedAt === undefined)
      return key && findMember(doc, key.memberCode)
    })
  }

  // ------------------------------------------------------------------ nodes
  async createNode (input: unknown): Promise<RegistryNode> {
    this.#open()
    const n = parseInput(nodeCreateSchema, input, 'node')
    return this.#change((d) => change.createNode(d, n))
  }

  async getNode (id: unknown): Promise<RegistryNode | undefined> {
    this.#open()
    const nodeId = nodeIdArg(id)
    return this.#query((doc) => findNode(doc, nodeId))
  }

  async listNodes (memberCode?: unknown): Promise<RegistryNode[]> {
    this.#open()
    const member = optionalMember(memberCode)
    return this.#query((doc) => doc.nodes.filter((n) => member === undefined || n.memberCode === member))
  }

  async updateNode (id: unknown, patch: unknown): Promise<RegistryNode> {
    this.#open()
    const nodeId = nodeIdArg(id)
    const { baseUrl } = parseInput(nodeUpdateSchema, patch, 'node update')
    return this.#change((d) => change.updateNode(d, nodeId, baseUrl))
  }

  async deleteNode (id: unknown): Promise<void> {
    this.#open()
    const nodeId = nodeIdArg(id)
    return this.#change((d) => change.deleteNode(d, nodeId))
  }

  async recordHeartbeat (nodeId: unknown, at: unknown, health: unknown): Promise<RegistryNode> {
    this.#open()
    const id = nodeIdArg(nodeId)
    const when = assertHeartbeatTime(at).toISOString()
    const state = parseInput(nodeHealthSchema, health, 'health')
    return this.#change((d) => change.recordHeartbeat(d, id, when, state))
  }

  // ------------------------------------------------------------------ services
  async createService (input: unknown): Promise<Service> {
    this.#open()
    const s = parseInput(serviceCreateSchema, input, 'service')
    return this.#change((d) => change.createService(d, s))
  }

  async getService (ref: unknown): Promise<Service | undefined> {
    this.#open()
    const key = parseInput(serviceRefSchema, ref, 'service reference')
    return this.#query((doc) => findService(doc, key))
  }

  async listServices (filter: unknown = {}): Promise<Service[]> {
    this.#open()
    const { memberCode, nodeId } = parseInput(serviceFilterSchema, filter, 'service filter')
    return this.#query((doc) => doc.services.filter((s) =>
      (memberCode === undefined || s.memberCode === memberCode) && (nodeId === undefined || s.nodeId === nodeId)))
  }

  async updateService (ref: unknown, patch: unknown): Promise<Service> {
    this.#open()
    const key = parseInput(serviceRefSchema, ref, 'service reference')
    const changes = parseInput(serviceUpdateSchema, patch, 'service update')
    return this.#change((d) => change.updateService(d, key, changes))
  }

  async deleteService (ref: unknown): Promise<void> {
    this.#open()
    const key = parseInput(serviceRefSchema, ref, 'service reference')
    return this.#change((d) => change.deleteService(d, key))
  }

  // ------------------------------------------------------------------ grants
  async createGrant (input: unknown): Promise<Grant> {
    this.#open()
    const g = parseInput(grantCreateSchema, input, 'grant')
    return this.#change((d) => change.createGrant(d, g))
  }

  async getGrant (id: unknown): Promise<Grant | undefined> {
    this.#open()
    const grantId = grantIdArg(id)
    return this.#query((doc) => findGrant(doc, grantId))
  }

  async listGrants (filter: unknown = {}): Promise<Grant[]> {
    this.#open()
    const { client, service } = parseInput(grantFilterSchema, filter, 'grant filter')
    return this.#query((doc) => doc.grants.filter((g) =>
      (client === undefined || sameSubsystem(g.client, client)) && (service === undefined || sameService(g.service, service))))
  }

  async updateGrant (id: unknown, patch: unknown): Promise<Grant> {
    this.#open()
    const grantId = grantIdArg(id)
    const changes = parseInput(grantUpdateSchema, patch, 'grant update')
    return this.#change((d) => change.updateGrant(d, grantId, changes))
  }

  async deleteGrant (id: unknown): Promise<void> {
    this.#open()
    const grantId = grantIdArg(id)
    return this.#change((d) => change.deleteGrant(d, grantId))
  }

  // ------------------------------------------------------------------ whole registry
  async snapshot (): Promise<RegistrySnapshot> {
    this.#open()
    const { version, doc } = await this.#backend.read()
    const { members, subsystems, apiKeys, nodes, services, grants } = doc
    return copyJson({ version, instance: this.instance, members, subsystems, apiKeys, nodes, services, grants })
  }

  async version (): Promise<number> {
    this.#open()
    return this.#backend.version()
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#backend.close()
  }
}
