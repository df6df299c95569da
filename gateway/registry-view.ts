// A registry snapshot compiled for the request path: every look-up an exchange needs (credential,
// subsystem, service, node, grants) is a Map access or two by strings the exchange already holds,
// never a key built per request (that costs a new string and its hash each time). Rebuilt whole on
// each registry change.
import type { Grant, Member, RateLimit, RegistryNode, RegistrySnapshot, Service } from '../contracts/registry.js'
import { compilePattern, type CompiledPattern } from './path-pattern.js'

export interface ServiceEntry {
  readonly service: Service
  readonly id: string
  readonly memberClass: string
  readonly endpoints: readonly CompiledPattern[]
}

export interface GrantEntry {
  readonly grant: Grant
  /** Undefined: the grant covers every endpoint of the service. */
  readonly endpoints: readonly CompiledPattern[] | undefined
  readonly quota: RateLimit | undefined
  /** The rate limiter's key for the grant's own quota. */
  readonly quotaKey: string
}

export class RegistryView {
  readonly version: number
  readonly instance: string
  private readonly membersByKeyHash = new Map<string, Member>()
  private readonly members = new Map<string, Member>()
  private readonly limitKeys = new Map<Member, string>()
  /** Subsystem codes by member code. */
  private readonly subsystems = new Map<string, Set<string>>()
  private readonly services = new Map<string, ServiceEntry>()
  private readonly nodes = new Map<string, RegistryNode>()
  /** By client id, then service id. */
  private readonly grants = new Map<string, Map<string, GrantEntry[]>>()

  constructor (snapshot: RegistrySnapshot) {
    this.version = snapshot.version
    this.instance = snapshot.instance
    for (const member of snapshot.members) {
      this.members.set(member.code, member)
      this.limitKeys.set(member, `member:${member.code}`)
    }
    for (const key of snapshot.apiKeys) {
      const member = this.members.get(key.memberCode)
      if (member !== undefined && key.revokedAt == null) this.membersByKeyHash.set(key.hash, member)
    }
    for (const subsystem of snapshot.subsystems) {
      const codes = this.subsystems.get(subsystem.memberCode)
      if (codes === undefined) this.subsystems.set(subsystem.memberCode, new Set([subsystem.code]))
      else codes.add(subsystem.code)
    }
    for (const node of snapshot.nodes) this.nodes.set(node.id, node)
    for (const service of snapshot.services) {
      const memberClass = this.members.get(service.memberCode)?.memberClass ?? 'GOV'
      const id = `${this.instance}/${memberClass}/${service.memberCode}/${service.subsystemCode}/${service.serviceCode}`
      this.services.set(id, { service, id, memberClass, endpoints: service.endpoints.map((e) => compilePattern(e.method, e.path)) })
    }
    for (const grant of snapshot.grants) {
      const clientId = `${grant.client.instance}/${grant.client.memberClass}/${grant.client.memberCode}/${grant.client.subsystemCode}`
      const serviceId = `${grant.service.instance}/${grant.service.memberClass}/${grant.service.memberCode}/${grant.service.subsystemCode}/${grant.service.serviceCode}`
      const entry: GrantEntry = { grant, endpoints: grant.endpoints?.map((e) => compilePattern(e.method, e.path)), quota: grant.quota, quotaKey: `grant:${grant.id}` }
      let byService = this.grants.get(clientId)
      if (byService === undefined) this.grants.set(clientId, byService = new Map())
      const list = byService.get(serviceId)
      if (list === undefined) byService.set(serviceId, [entry])
      else list.push(entry)
    }
  }

  memberByKeyHash (hash: string): Member | undefined {
    return this.membersByKeyHash.get(hash)
  }

  member (code: string): Member | undefined {
    return this.members.get(code)
  }

  /** The rate limiter's key for a member of this view (as `memberByKeyHash` returned it). */
  limitKey (member: Member): string {
    return this.limitKeys.get(member) ?? `member:${member.code}`
  }

  hasSubsystem (memberCode: string, subsystemCode: string): boolean {
    return this.subsystems.get(memberCode)?.has(subsystemCode) === true
  }

  /** By full service id `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`. */
  service (id: string): ServiceEntry | undefined {
    return this.services.get(id)
  }

  node (id: string): RegistryNode | undefined {
    return this.nodes.get(id)
  }

  grantsFor (clientId: string, serviceId: string): readonly GrantEntry[] {
    return this.grants.get(clientId)?.get(serviceId) ?? []
  }
}
