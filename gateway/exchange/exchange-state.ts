// What the hub learns about one exchange as it moves through the pipeline, and the transaction
// record it becomes once the answer has left.
import { maskPersonalNumbers } from '../../common/logging.js'
import type { ErrorCode } from '../../contracts/errors.js'
import type { Outcome, TransactionRecord } from '../../contracts/transaction.js'
import { uuidv7 } from './ids.js'
import type { ClientIdentity, ServiceCall } from './parse-request.js'

export interface ExchangeState {
  readonly id: string
  messageId: string
  readonly requestInTs: number
  requestOutTs: number | null
  responseInTs: number | null
  method: string
  /** As X-Road-Client claims it; checked against the key's owner before anything is forwarded. */
  client: ClientIdentity | undefined
  /** The member whose key authenticated the request, once known. */
  keyOwner: KeyOwner | null
  call: ServiceCall | undefined
  providerNodeId: string | null
  restPattern: string | null
  userIdHash: string | null
  issue: string | null
  requestSize: number
  responseSize: number
  outcome: Outcome | undefined
  faultCode: ErrorCode | null
  requestHash: string | null
  responseHash: string | null
  recorded: boolean
  /** The status of an answer the hub gave outside the reply (Node's parser refused the rest of the request). */
  answeredStatus: number | null
  /** performance.now() at arrival, and the milliseconds spent waiting for the provider: the hub's own time is the rest. */
  readonly arrivedAt: number
  providerWaitMs: number
}

export interface KeyOwner { readonly instance: string, readonly memberClass: string, readonly memberCode: string }

/** The client parts a record holds, and the service parts: each may be unknown (null). */
interface RecordedClient { instance: string, memberClass: string, memberCode: string, subsystemCode: string | null }
interface RecordedService { instance: string, memberClass: string, memberCode: string, subsystemCode: string, serviceCode: string }

const outcomeOfCode: Partial<Record<ErrorCode, Outcome>> = {
  'client.bad_request': 'bad_request',
  'client.unauthenticated': 'unauthenticated',
  'client.identity_mismatch': 'denied',
  'client.access_denied': 'denied',
  'client.unknown_service': 'unknown_service',
  'client.unknown_route': 'unknown_service',
  'client.payload_too_large': 'payload_too_large',
  'client.unsupported_media_type': 'bad_request',
  'client.rate_limited': 'rate_limited',
  'client.request_timeout': 'bad_request',
  'client.headers_too_large': 'bad_request',
  'client.method_not_allowed': 'bad_request',
  'server.provider_timeout': 'timeout',
  'server.provider_unreachable': 'unreachable',
  'server.provider_circuit_open': 'circuit_open',
  'server.store_unavailable': 'store_unavailable',
}

export function outcomeOf (code: ErrorCode): Outcome {
  return outcomeOfCode[code] ?? 'error'
}

/** The hub answers the exchange itself with this error: its fault code, and the outcome that code means. */
export function markFault (state: ExchangeState, code: ErrorCode): void {
  state.faultCode = code
  state.outcome = outcomeOf(code)
}

/** A new exchange arriving at `nowMs`: its id is a UUIDv7 of that same reading, so the id's timestamp is the record's requestInTs. */
export function newExchange (nowMs: number, method: string): ExchangeState {
  const id = uuidv7(nowMs)
  return {
    id, messageId: id, requestInTs: nowMs, requestOutTs: null, responseInTs: null, method,
    client: undefined, keyOwner: null, call: undefined, providerNodeId: null, restPattern: null, userIdHash: null, issue: null,
    requestSize: 0, responseSize: 0, outcome: undefined, faultCode: null, requestHash: null, responseHash: null, recorded: false, answeredStatus: null,
    arrivedAt: performance.now(), providerWaitMs: 0,
  }
}

/** The hub's own share of the exchange so far (ms): since arrival, less the wait for the provider. */
export function hubMsOf (state: ExchangeState): number {
  return performance.now() - state.arrivedAt - state.providerWaitMs
}

export function toRecord (state: ExchangeState, statusCode: number, responseOutTs: number, gatewayId: string): TransactionRecord {
  const outcome = state.outcome ?? (statusCode < 400 ? 'success' : 'provider_error')
  // An exchange the hub did not refuse passed every check: its parties are recorded as they are.
  const { client, call } = state.faultCode === null ? state : recordedParties(state)
  return {
    id: state.id,
    // Only a client's own X-Road-Id can hold personal data; the hub's ids are left as they are.
    messageId: state.messageId === state.id ? state.id : maskPersonalNumbers(state.messageId),
    requestInTs: state.requestInTs,
    requestOutTs: state.requestOutTs,
    responseInTs: state.responseInTs,
    responseOutTs,
    clientInstance: client?.instance ?? null,
    clientMemberClass: client?.memberClass ?? null,
    clientMemberCode: client?.memberCode ?? null,
    clientSubsystemCode: client?.subsystemCode ?? null,
    serviceInstance: call?.instance ?? null,
    serviceMemberClass: call?.memberClass ?? null,
    serviceMemberCode: call?.memberCode ?? null,
    serviceSubsystemCode: call?.subsystemCode ?? null,
    serviceCode: call?.serviceCode ?? null,
    providerNodeId: state.providerNodeId,
    restMethod: state.method,
    restPath: state.restPattern,
    userIdHash: state.userIdHash,
    issue: state.issue,
    requestSize: state.requestSize,
    responseSize: state.responseSize,
    statusCode,
    succeeded: outcome === 'success',
    outcome,
    faultCode: state.faultCode,
    gatewayId,
    requestHash: state.requestHash,
    responseHash: state.responseHash,
  }
}

/**
 * Who called what, as the record keeps it. An exchange the hub answered itself may have been refused
 * for its very identifiers: a personal ID in a service-code position (a path missing its subsystem),
 * say, so their parts are masked. And a claimed client of another member than the key's is never
 * recorded: the key's owner is (no subsystem), so that an impersonation attempt counts against whoever made it.
 */
function recordedParties (state: ExchangeState): { client: RecordedClient | undefined, call: RecordedService | undefined } {
  const claimed = state.client
  const owner = state.keyOwner
  const client = owner !== null && (claimed === undefined || claimed.instance !== owner.instance || claimed.memberClass !== owner.memberClass || claimed.memberCode !== owner.memberCode)
    ? { ...owner, subsystemCode: null }
    : claimed === undefined ? undefined : maskClient(claimed)
  return { client, call: state.call === undefined ? undefined : maskService(state.call) }
}

function maskClient (c: RecordedClient): RecordedClient {
  const mask = maskPersonalNumbers
  return { instance: mask(c.instance), memberClass: mask(c.memberClass), memberCode: mask(c.memberCode), subsystemCode: c.subsystemCode === null ? null : mask(c.subsystemCode) }
}

function maskService (s: RecordedService): RecordedService {
  const mask = maskPersonalNumbers
  return { instance: mask(s.instance), memberClass: mask(s.memberClass), memberCode: mask(s.memberCode), subsystemCode: mask(s.subsystemCode), serviceCode: mask(s.serviceCode) }
}
