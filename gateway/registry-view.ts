// A registry snapshot compiled for the request path: every look-up an exchange needs (credential,
// subsystem, service, node, grants) is one Map access. Rebuilt whole on each registry change.
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
}

export class RegistryView {
  readonly version: number
  readonly instance: string
  private readonly membersByKeyHash = new Map<string, Member>()
  private readonly members = new Map<string, Member>()
  private readonly subsystems = new Set<string>()
  private readonly services = new Map<string, ServiceEntry>()
  private readonly nodes = new Map<string, RegistryNode>()
  private readonly grants = new Map<string, GrantEntry[]>()

  constructor (snapshot: RegistrySnapshot) {
    this.version = snapshot.version
    this.instance = snapshot.instance
    for (const member of snapshot.members) this.members.set(member.code, member)
    for (const key of snapshot.apiKeys) {
      const member = this.members.get(key.memberCode)
      if (member !== undefined && key.revokedAt == null) this.membersByKeyHash.set(key.hash, member)
    }
    for (const subsystem of snapshot.subsystems) this.subsystems.add(`${subsystem.memberCode}/${subsystem.code}`)
    for (const node of snapshot.nodes) this.nodes.set(node.id, node)
    for (const service of snapshot.services) {
      const memberClass = this.members.get(service.memberCode)?.memberClass ?? 'GOV'
      const id = `${this.instance}/${memberClass}/${service.memberCode}/${service.subsystemCode}/${service.serviceCode}`
      this.services.set(id, { service, id, memberClass, endpoints: service.endpoints.map((e) => compilePattern(e.method, e.path)) })
    }
    for (const grant of snapshot.grants) {
      const key = grantKey(`${grant.client.instance}/${grant.client.memberClass}/${grant.client.memberCode}/${grant.client.subsystemCode}`,
        `${grant.service.instance}/${grant.service.memberClass}/${grant.service.memberCode}/${grant.service.subsystemCode}/${grant.service.serviceCode}`)
      const entry: GrantEntry = { grant, endpoints: grant.endpoints?.map((e) => compilePattern(e.method, e.path)), quota: grant.quota }
      const list = this.grants.get(key)
      if (list === undefined) this.grants.set(key, [entry])
      else list.push(entry)
    }
  }

  memberByKeyHash (hash: string): Member | undefined {
    return this.membersByKeyHash.get(hash)
  }

  member (code: string): Member | undefined {
    return this.members.get(code)
  }

  hasSubsystem (memberCode: string, subsystemCode: string): boolean {
    return this.subsystems.has(`${memberCode}/${subsystemCode}`)
  }

  /** By full service id `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`. */
  service (id: string): ServiceEntry | undefined {
    return this.services.get(id)
  }

  node (id: string): RegistryNode | undefined {
    return this.nodes.get(id)
  }

  grantsFor (clientId: string, serviceId: string): readonly GrantEntry[] {
    return this.grants.get(grantKey(clientId, serviceId)) ?? []
  }
}

function grantKey (clientId: string, serviceId: string): string {
  return `${clientId}|${serviceId}`
}
