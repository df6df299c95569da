// The checks before anything leaves the hub: who is calling (credential), whether the claimed client
// is theirs, which service and endpoint they call, and whether a grant lets them.
import { NdxpError } from '../../contracts/errors.js'
import type { Member } from '../../contracts/registry.js'
import { bearerToken } from '../../common/admin-auth.js'
import { firstMatch, splitPath, type CompiledPattern } from '../path-pattern.js'
import { hashApiKey } from '../../registry/keys.js'
import type { GrantEntry, RegistryView, ServiceEntry } from '../registry-view.js'
import type { ClientIdentity, ServiceCall } from './parse-request.js'

export function authenticate (view: RegistryView, authorization: string | undefined): Member {
  const key = bearerToken(authorization)
  if (key === undefined) throw new NdxpError('client.unauthenticated', 'send your agency key as `Authorization: Bearer <key>`')
  // Looking up the key's SHA-256 rather than comparing keys: timing can reveal nothing about the key.
  const member = view.memberByKeyHash(hashApiKey(key))
  if (member === undefined) throw new NdxpError('client.unauthenticated', 'the agency key is unknown or revoked; ask the hub admin for a key')
  return member
}

/** The hub never trusts a claimed identity: the client must be a subsystem of the key's member. */
export function checkIdentity (view: RegistryView, member: Member, client: ClientIdentity): void {
  if (client.instance !== view.instance || client.memberClass !== member.memberClass || client.memberCode !== member.code) {
    throw new NdxpError('client.identity_mismatch', `the key belongs to ${view.instance}/${member.memberClass}/${member.code}, but X-Road-Client names ${client.instance}/${client.memberClass}/${client.memberCode}`)
  }
  if (!view.hasSubsystem(member.code, client.subsystemCode)) {
    throw new NdxpError('client.identity_mismatch', `member ${member.code} has no subsystem ${client.subsystemCode}; register it first`)
  }
}

export interface ResolvedCall {
  readonly service: ServiceEntry
  readonly endpoint: CompiledPattern
  readonly upstreamPath: string
  readonly grant: GrantEntry
}

export function resolveAndAuthorize (view: RegistryView, method: string, call: ServiceCall, client: ClientIdentity): ResolvedCall {
  const service = view.service(call.serviceId)
  if (service === undefined) throw new NdxpError('client.unknown_service', `no service ${call.serviceId} is registered; see GET /v1/registry/services`)
  const base = service.service.upstreamPath === '/' ? '' : service.service.upstreamPath
  const upstreamPath = call.restPath === '' && base === '' ? '/' : base + call.restPath
  const segments = splitPath(upstreamPath)
  if (segments === undefined) throw new NdxpError('client.bad_request', 'the service path must not contain empty, . or .. segments')
  const endpoint = firstMatch(service.endpoints, method, segments)
  if (endpoint === undefined) {
    const offered = service.endpoints.map((e) => `${e.method} ${e.pattern}`).join(', ')
    throw new NdxpError('client.unknown_service', `service ${call.serviceId} has no endpoint ${method} ${upstreamPath.split('/').length > 2 ? 'for that path' : upstreamPath}; it offers ${offered}`)
  }
  const grants = view.grantsFor(client.id, call.serviceId)
  const grant = grants.find((g) => g.endpoints === undefined || firstMatch(g.endpoints, method, segments) !== undefined)
  if (grant === undefined) {
    const detail = grants.length === 0
      ? `${client.id} holds no grant for ${call.serviceId}; ask the service owner for one`
      : `${client.id}'s grants for ${call.serviceId} do not cover ${method} ${endpoint.pattern}`
    throw new NdxpError('client.access_denied', detail)
  }
  return { service, endpoint, upstreamPath, grant }
}
