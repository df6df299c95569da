// The embedded registry store: SQLite through better-sqlite3, WAL on files, schema migrated at open.
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { NdxpError } from '../contracts/errors.js'
import {
  DEFAULT_INSTANCE, formatClientId, formatServiceId, grantCreateSchema, grantUpdateSchema, instanceSchema, keyHashSchema,
  memberCreateSchema, memberSchema, memberUpdateSchema, newApiKeySchema, nodeCreateSchema, nodeHealthSchema, nodeUpdateSchema,
  quote, serviceCreateSchema, serviceUpdateSchema, subsystemCreateSchema, subsystemUpdateSchema,
  type ApiKey, type ClientId, type Grant, type Member, type RegistryNode, type RegistrySnapshot, type Service, type Subsystem,
} from '../contracts/registry.js'
import {
  GRANT_SELECT, SERVICE_KEY, grantTermColumns, migrate, refArgs, serviceColumns, toGrant, toKey, toMember, toNode, toService,
  toSubsystem, type GrantRow, type KeyRow, type MemberRow, type NodeRow, type ServiceRow, type SubsystemRow,
} from './sqlite-schema.js'
import {
  applyGrantUpdate, applyServiceUpdate, argSchemas as keySchemas, assertEndpointsKept, assertEndpointsOffered, assertGrantParty,
  assertHeartbeatTime, assertSameInstance, conflict, describeService, describeSubsystem, grantFilterSchema, notFound, parseInput,
  serviceFilterSchema, serviceRefSchema, storeClosed, type GrantFilter, type RegistryStore, type RegistryStoreOptions,
  type ServiceFilter, type ServiceRef,
} from './store.js'

const GRANT_ORDER = 'ORDER BY g.client_member, g.client_subsystem, g.service_member, g.service_subsystem, g.service_code'

export interface SqliteRegistryStoreOptions extends RegistryStoreOptions {
  /** A file path (its directory is created), or `:memory:` for a store private to this process. */
  filename: string
  /** How long a write waits for another process's lock before failing with `server.store_unavailable`. */
  busyTimeoutMs?: number
}

export async function openSqliteRegistryStore (options: SqliteRegistryStoreOptions): Promise<RegistryStore> {
  const instance = parseInput(instanceSchema, options.instance ?? DEFAULT_INSTANCE, 'instance')
  const { filename, clock = () => new Date(), busyTimeoutMs = 5000 } = options
  let db: Database.Database | undefined
  try {
    if (filename !== ':memory:' && filename !== '') mkdirSync(dirname(filename), { recursive: true })
    db = new Database(filename, { timeout: busyTimeoutMs })
    db.pragma('journal_mode = WAL') // stays "memory" for :memory:
    db.pragma('synchronous = NORMAL') // durable at each checkpoint, which WAL makes safe
    db.pragma('foreign_keys = ON')
    migrate(db)
  } catch (error) {
    db?.close()
    // The whole path, untruncated: it comes from configuration and is what the operator must fix.
    throw new NdxpError('server.store_unavailable', `Cannot open the registry database ${JSON.stringify(filename)}: ${(error as Error).message}`, { cause: error })
  }
  return new SqliteRegistryStore(db, instance, clock)
}

function mapError (error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error
  // Explicit checks come first; a constraint failing here means a concurrent writer got there first.
  if (error.code.startsWith('SQLITE_CONSTRAINT')) return new NdxpError('client.conflict', `The change conflicts with the registry as it is now (${error.message}); reload and retry.`, { cause: error })
  const detail = error.code.startsWith('SQLITE_BUSY') ? 'is locked by another process; retry shortly' : `failed: ${error.message}`
  return new NdxpError('server.store_unavailable', `The registry database ${detail}.`, { cause: error })
}

class SqliteRegistryStore implements RegistryStore {
  readonly #db: Database.Database
  readonly #clock: () => Date
  readonly #statements = new Map<string, Database.Statement<unknown[]>>()
  #closed = false

  constructor (db: Database.Database, readonly instance: string, clock: () => Date) {
    this.#db = db
    this.#clock = clock
  }

  #sql (sql: string): Database.Statement<unknown[]> {
    let statement = this.#statements.get(sql)
    if (statement === undefined) this.#statements.set(sql, statement = this.#db.prepare(sql))
    return statement
  }

  #one<T> (sql: string, ...args: unknown[]): T | undefined { return this.#sql(sql).get(...args) as T | undefined }
  #all<T> (sql: string, ...args: unknown[]): T[] { return this.#sql(sql).all(...args) as T[] }
  #run (sql: string, ...args: unknown[]): void { this.#sql(sql).run(...args) }
  #bump (): void { this.#run('UPDATE registry_version SET version = version + 1 WHERE id = 1') }
  #now (): string { return this.#clock().toISOString() }

  /** Every public method runs through here: closed check, then SQLite errors mapped to the catalogue. */
  async #op<T> (fn: () => T, write = false): Promise<T> {
    if (this.#closed) throw storeClosed()
    try {
      // IMMEDIATE takes the write lock up front, so two processes sharing the file never deadlock upgrading.
      return write ? this.#db.transaction(fn).immediate() : fn()
    } catch (error) {
      throw mapError(error)
    }
  }

  #member (code: string): Member | undefined {
    const row = this.#one<MemberRow>('SELECT * FROM members WHERE code = ?', code)
    return row && toMember(row)
  }

  #requireMember (code: string): Member {
    const member = this.#member(code)
    if (member === undefined) throw notFound(`Member ${quote(code)}`)
    return member
  }

  #subsystem (memberCode: string, code: string): Subsystem | undefined {
    const row = this.#one<SubsystemRow>('SELECT * FROM subsystems WHERE member_code = ? AND code = ?', memberCode, code)
    return row && toSubsystem(row)
  }

  #service (ref: ServiceRef): Service | undefined {
    const row = this.#one<ServiceRow>(`SELECT * FROM services WHERE ${SERVICE_KEY}`, ...refArgs(ref))
    return row && toService(row)
  }

  #node (id: string): RegistryNode | undefined {
    const row = this.#one<NodeRow>('SELECT * FROM nodes WHERE id = ?', id)
    return row && toNode(row)
  }

  #grant (id: string): Grant | undefined {
    const row = this.#one<GrantRow>(`${GRANT_SELECT} WHERE g.id = ?`, id)
    return row && toGrant(row, this.instance)
  }

  #requireGrantParty (id: ClientId, shown: string): void {
    assertGrantParty(id, shown, this.#member(id.memberCode), this.#subsystem(id.memberCode, id.subsystemCode) !== undefined)
  }

  // Lists shared by the public methods and snapshot(); a null filter value matches everything.
  #members (): Member[] {
    return this.#all<MemberRow>('SELECT * FROM members ORDER BY code').map(toMember)
  }

  #subsystems (member: string | null = null): Subsystem[] {
    return this.#all<SubsystemRow>('SELECT * FROM subsystems WHERE @member IS NULL OR member_code = @member ORDER BY member_code, code', { member }).map(toSubsystem)
  }

  #keys (member: string | null = null): ApiKey[] {
    return this.#all<KeyRow>('SELECT * FROM api_keys WHERE @member IS NULL OR member_code = @member ORDER BY member_code, created_at, id', { member }).map(toKey)
  }

  #nodes (member: string | null = null): RegistryNode[] {
    return this.#all<NodeRow>('SELECT * FROM nodes WHERE @member IS NULL OR member_code = @member ORDER BY id', { member }).map(toNode)
  }

  #services (filter: ServiceFilter = {}): Service[] {
    const args = { member: filter.memberCode ?? null, node: filter.nodeId ?? null }
    return this.#all<ServiceRow>(`SELECT * FROM services WHERE (@member IS NULL OR member_code = @member)
      AND (@node IS NULL OR node_id = @node) ORDER BY member_code, subsystem_code, service_code`, args).map(toService)
  }

  #grants ({ client, service }: GrantFilter = {}): Grant[] {
    const args = { cm: client?.memberCode ?? null, cs: client?.subsystemCode ?? null, sm: service?.memberCode ?? null, ss: service?.subsystemCode ?? null, sc: service?.serviceCode ?? null }
    return this.#all<GrantRow>(`${GRANT_SELECT} WHERE (@cm IS NULL OR (g.client_member = @cm AND g.client_subsystem = @cs))
      AND (@sm IS NULL OR (g.service_member = @sm AND g.service_subsystem = @ss AND g.service_code = @sc)) ${GRANT_ORDER}`, args).map((r) => toGrant(r, this.instance))
  }

  // ------------------------------------------------------------------ members
  createMember (input: unknown): Promise<Member> {
    return this.#op(() => {
      const m = parseInput(memberCreateSchema, input, 'member')
      if (this.#member(m.code) !== undefined) throw conflict(`Member ${quote(m.code)} already exists.`)
      this.#run('INSERT INTO members VALUES (?, ?, ?, ?, ?, ?)', m.code, m.memberClass, m.name, m.kind, m.rateLimit.ratePerSecond, m.rateLimit.burst)
      this.#bump()
      return m
    }, true)
  }

  getMember (code: unknown): Promise<Member | undefined> {
    return this.#op(() => this.#member(parseInput(keySchemas.memberCode, code, 'member code')))
  }

  listMembers (): Promise<Member[]> {
    return this.#op(() => this.#members())
  }

  updateMember (code: unknown, patch: unknown): Promise<Member> {
    return this.#op(() => {
      const key = parseInput(keySchemas.memberCode, code, 'member code')
      const changes = parseInput(memberUpdateSchema, patch, 'member update')
      const next = parseInput(memberSchema, { ...this.#requireMember(key), ...changes }, 'member')
      this.#run('UPDATE members SET name = ?, kind = ?, rate_per_second = ?, burst = ? WHERE code = ?', next.name, next.kind, next.rateLimit.ratePerSecond, next.rateLimit.burst, key)
      this.#bump()
      return next
    }, true)
  }

  deleteMember (code: unknown): Promise<void> {
    return this.#op(() => {
      const key = parseInput(keySchemas.memberCode, code, 'member code')
      this.#requireMember(key)
      const hosted = this.#all<ServiceRow>('SELECT s.* FROM services s JOIN nodes n ON n.id = s.node_id WHERE n.member_code = ? AND s.member_code <> ? LIMIT 5', key, key)
      if (hosted.length > 0) {
        throw conflict(`Member ${quote(key)} hosts services of other members on its nodes (${hosted.map((s) => `${describeService(toService(s))} on node ${s.node_id}`).join(', ')}); move or delete them first.`)
      }
      this.#run('DELETE FROM members WHERE code = ?', key)
      this.#bump()
    }, true)
  }

  // ------------------------------------------------------------------ subsystems
  createSubsystem (input: unknown): Promise<Subsystem> {
    return this.#op(() => {
      const s = parseInput(subsystemCreateSchema, input, 'subsystem')
      this.#requireMember(s.memberCode)
      if (this.#subsystem(s.memberCode, s.code) !== undefined) throw conflict(`${describeSubsystem({ memberCode: s.memberCode, subsystemCode: s.code })} already exists.`)
      this.#run('INSERT INTO subsystems VALUES (?, ?, ?)', s.memberCode, s.code, s.name)
      this.#bump()
      return s
    }, true)
  }

  getSubsystem (memberCode: unknown, code: unknown): Promise<Subsystem | undefined> {
    return this.#op(() => this.#subsystem(parseInput(keySchemas.memberCode, memberCode, 'member code'), parseInput(keySchemas.subsystemCode, code, 'subsystem code')))
  }

  listSubsystems (memberCode?: unknown): Promise<Subsystem[]> {
    return this.#op(() => this.#subsystems(memberCode === undefined ? null : parseInput(keySchemas.memberCode, memberCode, 'member code')))
  }

  updateSubsystem (memberCode: unknown, code: unknown, patch: unknown): Promise<Subsystem> {
    return this.#op(() => {
      const ref = { memberCode: parseInput(keySchemas.memberCode, memberCode, 'member code'), subsystemCode: parseInput(keySchemas.subsystemCode, code, 'subsystem code') }
      const { name } = parseInput(subsystemUpdateSchema, patch, 'subsystem update')
      const current = this.#subsystem(ref.memberCode, ref.subsystemCode)
      if (current === undefined) throw notFound(describeSubsystem(ref))
      this.#run('UPDATE subsystems SET name = ? WHERE member_code = ? AND code = ?', name, ref.memberCode, ref.subsystemCode)
      this.#bump()
      return { ...current, name }
    }, true)
  }

  deleteSubsystem (memberCode: unknown, code: unknown): Promise<void> {
    return this.#op(() => {
      const ref = { memberCode: parseInput(keySchemas.memberCode, memberCode, 'member code'), subsystemCode: parseInput(keySchemas.subsystemCode, code, 'subsystem code') }
      if (this.#subsystem(ref.memberCode, ref.subsystemCode) === undefined) throw notFound(describeSubsystem(ref))
      this.#run('DELETE FROM subsystems WHERE member_code = ? AND code = ?', ref.memberCode, ref.subsystemCode)
      this.#bump()
    }, true)
  }

  // ------------------------------------------------------------------ API keys
  createApiKey (input: unknown): Promise<ApiKey> {
    return this.#op(() => {
      const k = parseInput(newApiKeySchema, input, 'API key')
      this.#requireMember(k.memberCode)
      if (this.#one('SELECT 1 FROM api_keys WHERE hash = ?', k.hash) !== undefined) throw conflict('A key with this hash is already registered; generate a new key.')
      const key: ApiKey = { id: randomUUID(), memberCode: k.memberCode, hash: k.hash, label: k.label, createdAt: this.#now() }
      this.#run('INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, NULL)', key.id, key.memberCode, key.hash, key.label, key.createdAt)
      this.#bump()
      return key
    }, true)
  }

  getApiKey (id: unknown): Promise<ApiKey | undefined> {
    return this.#op(() => {
      const row = this.#one<KeyRow>('SELECT * FROM api_keys WHERE id = ?', parseInput(keySchemas.keyId, id, 'key id'))
      return row && toKey(row)
    })
  }

  listApiKeys (memberCode?: unknown): Promise<ApiKey[]> {
    return this.#op(() => this.#keys(memberCode === undefined ? null : parseInput(keySchemas.memberCode, memberCode, 'member code')))
  }

  revokeApiKey (id: unknown): Promise<ApiKey> {
    return this.#op(() => {
      const keyId = parseInput(keySchemas.keyId, id, 'key id')
      const row = this.#one<KeyRow>('SELECT * FROM api_keys WHERE id = ?', keyId)
      if (row === undefined) throw notFound(`API key ${quote(keyId)}`)
      if (row.revoked_at !== null) return toKey(row)
      const revokedAt = this.#now()
      this.#run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', revokedAt, keyId)
      this.#bump()
      return toKey({ ...row, revoked_at: revokedAt })
    }, true)
  }

  deleteApiKey (id: unknown): Promise<void> {
    return this.#op(() => {
      const keyId = parseInput(keySchemas.keyId, id, 'key id')
      if (this.#one('SELECT 1 FROM api_keys WHERE id = ?', keyId) === undefined) throw notFound(`API key ${quote(keyId)}`)
      this.#run('DELETE FROM api_keys WHERE id = ?', keyId)
      this.#bump()
    }, true)
  }

  findMemberByKeyHash (hash: unknown): Promise<Member | undefined> {
    return this.#op(() => {
      const row = this.#one<MemberRow>('SELECT m.* FROM api_keys k JOIN members m ON m.code = k.member_code WHERE k.hash = ? AND k.revoked_at IS NULL', parseInput(keyHashSchema, hash, 'key hash'))
      return row && toMember(row)
    })
  }

  // ------------------------------------------------------------------ nodes
  createNode (input: unknown): Promise<RegistryNode> {
    return this.#op(() => {
      const n = parseInput(nodeCreateSchema, input, 'node')
      this.#requireMember(n.memberCode)
      if (this.#node(n.id) !== undefined) throw conflict(`Node ${quote(n.id)} already exists.`)
      this.#run("INSERT INTO nodes VALUES (?, ?, ?, NULL, 'unknown')", n.id, n.memberCode, n.baseUrl)
      this.#bump()
      return { ...n, lastHeartbeatAt: null, health: 'unknown' as const }
    }, true)
  }

  getNode (id: unknown): Promise<RegistryNode | undefined> {
    return this.#op(() => this.#node(parseInput(keySchemas.nodeId, id, 'node id')))
  }

  listNodes (memberCode?: unknown): Promise<RegistryNode[]> {
    return this.#op(() => this.#nodes(memberCode === undefined ? null : parseInput(keySchemas.memberCode, memberCode, 'member code')))
  }

  updateNode (id: unknown, patch: unknown): Promise<RegistryNode> {
    return this.#op(() => {
      const nodeId = parseInput(keySchemas.nodeId, id, 'node id')
      const { baseUrl } = parseInput(nodeUpdateSchema, patch, 'node update')
      const current = this.#node(nodeId)
      if (current === undefined) throw notFound(`Node ${quote(nodeId)}`)
      this.#run('UPDATE nodes SET base_url = ? WHERE id = ?', baseUrl, nodeId)
      this.#bump()
      return { ...current, baseUrl }
    }, true)
  }

  deleteNode (id: unknown): Promise<void> {
    return this.#op(() => {
      const nodeId = parseInput(keySchemas.nodeId, id, 'node id')
      if (this.#node(nodeId) === undefined) throw notFound(`Node ${quote(nodeId)}`)
      const hosted = this.#all<ServiceRow>('SELECT * FROM services WHERE node_id = ? LIMIT 5', nodeId)
      if (hosted.length > 0) throw conflict(`Node ${quote(nodeId)} hosts ${hosted.map((s) => describeService(toService(s))).join(', ')}; move or delete them first.`)
      this.#run('DELETE FROM nodes WHERE id = ?', nodeId)
      this.#bump()
    }, true)
  }

  recordHeartbeat (nodeId: unknown, at: unknown, health: unknown): Promise<RegistryNode> {
    return this.#op(() => {
      const id = parseInput(keySchemas.nodeId, nodeId, 'node id')
      const when = assertHeartbeatTime(at).toISOString()
      const state = parseInput(nodeHealthSchema, health, 'health')
      const current = this.#node(id)
      if (current === undefined) throw notFound(`Node ${quote(id)}`)
      // ISO timestamps in UTC compare correctly as strings.
      if (current.lastHeartbeatAt !== null && when < current.lastHeartbeatAt) return current
      this.#run('UPDATE nodes SET last_heartbeat_at = ?, health = ? WHERE id = ?', when, state, id)
      this.#bump()
      return { ...current, lastHeartbeatAt: when, health: state }
    }, true)
  }

  // ------------------------------------------------------------------ services
  createService (input: unknown): Promise<Service> {
    return this.#op(() => {
      const s = parseInput(serviceCreateSchema, input, 'service')
      if (this.#subsystem(s.memberCode, s.subsystemCode) === undefined) throw notFound(describeSubsystem(s))
      if (this.#node(s.nodeId) === undefined) throw notFound(`Node ${quote(s.nodeId)}`)
      if (this.#service(s) !== undefined) throw conflict(`${describeService(s)} already exists.`)
      this.#run('INSERT INTO services VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', ...refArgs(s), ...serviceColumns(s))
      this.#bump()
      return s
    }, true)
  }

  getService (ref: unknown): Promise<Service | undefined> {
    return this.#op(() => this.#service(parseInput(serviceRefSchema, ref, 'service reference')))
  }

  listServices (filter: unknown = {}): Promise<Service[]> {
    return this.#op(() => this.#services(parseInput(serviceFilterSchema, filter, 'service filter')))
  }

  updateService (ref: unknown, patch: unknown): Promise<Service> {
    return this.#op(() => {
      const key = parseInput(serviceRefSchema, ref, 'service reference')
      const changes = parseInput(serviceUpdateSchema, patch, 'service update')
      const current = this.#service(key)
      if (current === undefined) throw notFound(describeService(key))
      const next = applyServiceUpdate(current, changes)
      if (this.#node(next.nodeId) === undefined) throw notFound(`Node ${quote(next.nodeId)}`)
      assertEndpointsKept(current, next.endpoints, this.#grants({ service: key }))
      this.#run(`UPDATE services SET node_id = ?, upstream_path = ?, timeout_ms = ?, endpoints = ?, carries_personal_data = ?, openapi_url = ? WHERE ${SERVICE_KEY}`,
        ...serviceColumns(next), ...refArgs(key))
      this.#bump()
      return next
    }, true)
  }

  deleteService (ref: unknown): Promise<void> {
    return this.#op(() => {
      const key = parseInput(serviceRefSchema, ref, 'service reference')
      if (this.#service(key) === undefined) throw notFound(describeService(key))
      this.#run(`DELETE FROM services WHERE ${SERVICE_KEY}`, ...refArgs(key))
      this.#bump()
    }, true)
  }

  // ------------------------------------------------------------------ grants
  createGrant (input: unknown): Promise<Grant> {
    return this.#op(() => {
      const g = parseInput(grantCreateSchema, input, 'grant')
      assertSameInstance(this.instance, [g.client, g.service])
      this.#requireGrantParty(g.client, `Client ${quote(formatClientId(g.client))}`)
      this.#requireGrantParty(g.service, `Service ${quote(formatServiceId(g.service))}`)
      const service = this.#service(g.service)
      if (service === undefined) throw notFound(`Service ${quote(formatServiceId(g.service))}`)
      assertEndpointsOffered(service, g.endpoints)
      const clientArgs = [g.client.memberCode, g.client.subsystemCode]
      const existing = this.#one<{ id: string }>('SELECT id FROM grants WHERE client_member = ? AND client_subsystem = ? AND service_member = ? AND service_subsystem = ? AND service_code = ?', ...clientArgs, ...refArgs(g.service))
      if (existing !== undefined) throw conflict(`${quote(formatClientId(g.client))} already holds grant ${existing.id} to ${quote(formatServiceId(g.service))}; update that grant instead.`)
      const grant: Grant = { id: randomUUID(), client: g.client, service: g.service, ...(g.endpoints && { endpoints: g.endpoints }), ...(g.quota && { quota: g.quota }), createdAt: this.#now() }
      this.#run('INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', grant.id, ...clientArgs, ...refArgs(g.service),
        ...grantTermColumns(g), grant.createdAt)
      this.#bump()
      return grant
    }, true)
  }

  getGrant (id: unknown): Promise<Grant | undefined> {
    return this.#op(() => this.#grant(parseInput(keySchemas.grantId, id, 'grant id')))
  }

  listGrants (filter: unknown = {}): Promise<Grant[]> {
    return this.#op(() => this.#grants(parseInput(grantFilterSchema, filter, 'grant filter')))
  }

  updateGrant (id: unknown, patch: unknown): Promise<Grant> {
    return this.#op(() => {
      const grantId = parseInput(keySchemas.grantId, id, 'grant id')
      const changes = parseInput(grantUpdateSchema, patch, 'grant update')
      const current = this.#grant(grantId)
      if (current === undefined) throw notFound(`Grant ${quote(grantId)}`)
      const service = this.#service(current.service)
      if (service !== undefined) assertEndpointsOffered(service, changes.endpoints)
      const next = applyGrantUpdate(current, changes)
      this.#run('UPDATE grants SET endpoints = ?, quota_rate = ?, quota_burst = ? WHERE id = ?', ...grantTermColumns(next), grantId)
      this.#bump()
      return next
    }, true)
  }

  deleteGrant (id: unknown): Promise<void> {
    return this.#op(() => {
      const grantId = parseInput(keySchemas.grantId, id, 'grant id')
      if (this.#grant(grantId) === undefined) throw notFound(`Grant ${quote(grantId)}`)
      this.#run('DELETE FROM grants WHERE id = ?', grantId)
      this.#bump()
    }, true)
  }

  // ------------------------------------------------------------------ whole registry
  snapshot (): Promise<RegistrySnapshot> {
    // One read transaction: WAL gives it a fixed view even while another process writes.
    return this.#op(() => this.#db.transaction(() => ({
      version: this.#version(),
      instance: this.instance,
      members: this.#members(),
      subsystems: this.#subsystems(),
      apiKeys: this.#keys(),
      nodes: this.#nodes(),
      services: this.#services(),
      grants: this.#grants(),
    })).deferred())
  }

  #version (): number {
    return this.#one<{ version: number }>('SELECT version FROM registry_version WHERE id = 1')?.version ?? 0
  }

  version (): Promise<number> {
    return this.#op(() => this.#version())
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#db.close()
  }
}
