// Registry entities and X-Road identifiers: the one definition the stores, the seed and the admin API share.
import { z } from 'zod'
import { NdxpError } from './errors.js'

export const DEFAULT_INSTANCE = 'VN'
/** X-Road's default service timeout. */
export const DEFAULT_SERVICE_TIMEOUT_MS = 60_000

const IDENTIFIER_CHARS = "A-Z a-z 0-9 ' ( ) + , - . = ?"
// Unicode categories Cc/Cf/Cs: control, invisible format (e.g. bidi overrides that disguise a name) and
// unpaired surrogates, which would not survive a round trip through UTF-8 storage.
const VISIBLE_TEXT_RE = /^[^\p{Cc}\p{Cf}\p{Cs}]*$/u
const LITERAL_SEGMENT = String.raw`(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+`
const PARAM_SEGMENT = String.raw`\{[A-Za-z_][A-Za-z0-9_]{0,63}\}`

const identifierPart = (what: string) => z.string({ error: `${what} must be a string` })
  .min(1, `${what} must not be empty`)
  .max(64, `${what} must be at most 64 characters`)
  .regex(/^[A-Za-z0-9'()+,\-.=?]*$/, `${what} may contain only ${IDENTIFIER_CHARS}`)
  // '.' and '..' are valid characters but not usable names: clients resolve them away in every URL.
  .refine((value) => value !== '.' && value !== '..', `${what} must not be . or .. (a URL cannot address it)`)

const text = (max: number) => z.string({ error: 'must be a string' })
  .trim().normalize('NFC')
  .min(1, 'must not be blank')
  .max(max, `must be at most ${max} characters`)
  .regex(VISIBLE_TEXT_RE, 'must not contain control or invisible formatting characters')

const isoTimestamp = z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp' })

function isHttpUrl (value: string): boolean {
  if (!URL.canParse(value) || /\s/.test(value)) return false
  const url = new URL(value)
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' &&
    url.username === '' && url.password === '' && url.search === '' && url.hash === '' &&
    !value.includes('?') && !value.includes('#')
}
const httpUrl = z.string({ error: 'must be a string' }).max(2048, 'must be at most 2048 characters')
  .refine(isHttpUrl, 'must be an absolute http:// or https:// URL without credentials, query or fragment')

// Paths are checked segment by segment; dot segments (also percent-encoded) and encoded slashes would
// let a pattern or an upstream path point somewhere other than where it reads.
function hasSneakySegment (path: string): boolean {
  return path.split('/').some((s) => /^(?:\.|%2e){1,2}$/i.test(s)) || /%2f|%5c/i.test(path)
}
function paramNames (path: string): string[] {
  return path.split('/').filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1))
}

// ---------------------------------------------------------------- identifier parts
export const instanceSchema = identifierPart('instance').meta({ id: 'Instance' })
export const memberClassSchema = z.enum(['GOV', 'COM'], { error: 'member class must be GOV (state body) or COM (enterprise)' }).meta({ id: 'MemberClass' })
/** Agency electronic id (QĐ 20/2020/QĐ-TTg): up to 35 characters 0-9 A-Z in dot-separated groups. */
export const memberCodeSchema = z.string({ error: 'member code must be a string' })
  .max(35, 'member code must be at most 35 characters')
  .regex(/^[0-9A-Z]+(?:\.[0-9A-Z]+)*$/, 'member code must be groups of digits and upper-case letters A-Z separated by single dots, e.g. 000.00.00.G01')
  .meta({ id: 'MemberCode' })
export const subsystemCodeSchema = identifierPart('subsystem code').meta({ id: 'SubsystemCode' })
export const serviceCodeSchema = identifierPart('service code').meta({ id: 'ServiceCode' })
export const nodeIdSchema = z.string({ error: 'node id must be a string' })
  .max(64, 'node id must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'node id must start with a letter or digit and contain only A-Z a-z 0-9 . _ -')
  .meta({ id: 'NodeId' })

// ---------------------------------------------------------------- shared value types
/** Token bucket: `ratePerSecond` sustained, up to `burst` at once. */
export const rateLimitSchema = z.strictObject({
  ratePerSecond: z.number().positive('must be greater than 0').max(1_000_000, 'must be at most 1000000'),
  burst: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000_000, 'must be at most 10000000'),
}).meta({ id: 'RateLimit' })

export const httpMethods = ['*', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
/** A path prefix on a node: `/` or literal segments, e.g. `/citizens`. */
export const upstreamPathSchema = z.string({ error: 'must be a string' }).max(512, 'must be at most 512 characters')
  .regex(new RegExp(`^(?:/|(?:/${LITERAL_SEGMENT})+)$`), 'must be / or /segment[/segment…] of URL path characters, without a trailing slash, query or fragment')
  .refine((p) => !hasSneakySegment(p), 'must not contain . or .. segments or encoded slashes')
/**
 * An endpoint path pattern as the provider node sees it (it starts with the service's upstreamPath).
 * `*` and `{param}` each stand for exactly one non-empty segment.
 */
export const pathPatternSchema = z.string({ error: 'must be a string' }).max(512, 'must be at most 512 characters')
  .regex(new RegExp(`^(?:/|(?:/(?:${LITERAL_SEGMENT}|\\*|${PARAM_SEGMENT}))+)$`),
    'must be / or /segment[/segment…] where a segment is literal URL path characters, * or {name}; no trailing slash, query or fragment')
  .refine((p) => !hasSneakySegment(p), 'must not contain . or .. segments or encoded slashes')
  .refine((p) => new Set(paramNames(p)).size === paramNames(p).length, 'must not repeat a {param} name')
export const endpointSchema = z.strictObject({
  method: z.enum(httpMethods, { error: `method must be one of ${httpMethods.join(' ')}` }),
  path: pathPatternSchema,
}).meta({ id: 'Endpoint' })
export const endpointKey = (e: Endpoint): string => `${e.method} ${e.path}`
const endpointList = z.array(endpointSchema).min(1, 'must list at least one endpoint').max(200, 'must list at most 200 endpoints')
  .refine((list) => new Set(list.map(endpointKey)).size === list.length, 'must not list the same method and path twice')

// ---------------------------------------------------------------- members
export const memberKindSchema = z.enum(['ministry', 'province', 'national-database-operator', 'enterprise']).meta({ id: 'MemberKind' })
const memberFields = { code: memberCodeSchema, memberClass: memberClassSchema, name: text(200), kind: memberKindSchema, rateLimit: rateLimitSchema }
// Ministries and provinces are state bodies and enterprises are not; a database operator may be either.
const kindFitsClass = (m: { kind: MemberKind, memberClass: MemberClass }): boolean =>
  m.kind === 'national-database-operator' || (m.kind === 'enterprise') === (m.memberClass === 'COM')
const kindFitsClassError = { error: 'kind enterprise goes with class COM; ministry and province with GOV', path: ['kind'] }
export const memberSchema = z.strictObject(memberFields).refine(kindFitsClass, kindFitsClassError).meta({ id: 'Member' })
export const memberCreateSchema = z.strictObject(memberFields).refine(kindFitsClass, kindFitsClassError).meta({ id: 'MemberCreate' })
const nonEmpty = { error: 'name at least one field to change' }
/** Code and class are the member's identity and never change; delete and re-create instead. */
export const memberUpdateSchema = z.strictObject({ name: text(200), kind: memberKindSchema, rateLimit: rateLimitSchema })
  .partial().refine((o) => Object.keys(o).length > 0, nonEmpty).meta({ id: 'MemberUpdate' })

// ---------------------------------------------------------------- subsystems
export const subsystemSchema = z.strictObject({ memberCode: memberCodeSchema, code: subsystemCodeSchema, name: text(200) }).meta({ id: 'Subsystem' })
export const subsystemCreateSchema = subsystemSchema.meta({ id: 'SubsystemCreate' })
export const subsystemUpdateSchema = z.strictObject({ name: text(200) }).meta({ id: 'SubsystemUpdate' })

// ---------------------------------------------------------------- API keys (the store keeps hashes only)
export const keyHashSchema = z.string({ error: 'must be a string' }).regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 digest (64 characters)')
export const apiKeyIdSchema = z.uuid({ error: 'must be a UUID' })
export const apiKeySchema = z.strictObject({
  id: apiKeyIdSchema, memberCode: memberCodeSchema, hash: keyHashSchema, label: text(100),
  createdAt: isoTimestamp, revokedAt: isoTimestamp.optional(),
}).meta({ id: 'ApiKey' })
/** Admin API body: the member comes from the path, the key is generated by the hub. */
export const apiKeyCreateSchema = z.strictObject({ label: text(100) }).meta({ id: 'ApiKeyCreate' })
/** What a store is given: the hash of a key generated elsewhere. */
export const newApiKeySchema = z.strictObject({ memberCode: memberCodeSchema, hash: keyHashSchema, label: text(100) })
/** The creation answer: the only time the key itself is shown. */
export const apiKeyIssuedSchema = apiKeySchema.omit({ hash: true }).extend({ key: z.string() }).meta({ id: 'ApiKeyIssued' })

// ---------------------------------------------------------------- nodes
export const nodeHealthSchema = z.enum(['up', 'down', 'unknown']).meta({ id: 'NodeHealth' })
const baseUrlSchema = httpUrl.refine((u) => !u.endsWith('/'), 'must not end with a slash (paths are appended to it)')
export const nodeSchema = z.strictObject({
  id: nodeIdSchema, memberCode: memberCodeSchema, baseUrl: baseUrlSchema,
  lastHeartbeatAt: isoTimestamp.nullable(), health: nodeHealthSchema,
}).meta({ id: 'Node' })
export const nodeCreateSchema = z.strictObject({ id: nodeIdSchema, memberCode: memberCodeSchema, baseUrl: baseUrlSchema }).meta({ id: 'NodeCreate' })
export const nodeUpdateSchema = z.strictObject({ baseUrl: baseUrlSchema }).meta({ id: 'NodeUpdate' })

// ---------------------------------------------------------------- services
const timeoutMs = z.number().int('must be a whole number of milliseconds').min(1, 'must be at least 1').max(600_000, 'must be at most 600000 (10 minutes)')
const serviceFields = {
  memberCode: memberCodeSchema, subsystemCode: subsystemCodeSchema, serviceCode: serviceCodeSchema,
  nodeId: nodeIdSchema, upstreamPath: upstreamPathSchema, timeoutMs, endpoints: endpointList,
  carriesPersonalData: z.boolean({ error: 'must be true or false' }), openapiUrl: httpUrl.optional(),
}
/** Endpoints are node paths, so each must lie under the service's upstreamPath. */
export function endpointsOutsideUpstream (s: { upstreamPath: string, endpoints: Endpoint[] }): Endpoint[] {
  if (s.upstreamPath === '/') return []
  return s.endpoints.filter((e) => e.path !== s.upstreamPath && !e.path.startsWith(`${s.upstreamPath}/`))
}
const checkUpstream = (s: { upstreamPath: string, endpoints: Endpoint[] }, ctx: z.RefinementCtx): void => {
  for (const e of endpointsOutsideUpstream(s)) {
    ctx.addIssue({ code: 'custom', path: ['endpoints'], message: `${endpointKey(e)} is not under upstreamPath ${s.upstreamPath}` })
  }
}
export const serviceSchema = z.strictObject(serviceFields).superRefine(checkUpstream).meta({ id: 'Service' })
/** Unless declared otherwise a service is treated as carrying personal data: the safe default. */
export const serviceCreateSchema = z.strictObject({
  ...serviceFields,
  timeoutMs: timeoutMs.default(DEFAULT_SERVICE_TIMEOUT_MS),
  carriesPersonalData: serviceFields.carriesPersonalData.default(true),
}).superRefine(checkUpstream).meta({ id: 'ServiceCreate' })
/** `openapiUrl: null` removes it. The service's identity (member, subsystem, code) never changes. */
export const serviceUpdateSchema = z.strictObject({
  nodeId: nodeIdSchema, upstreamPath: upstreamPathSchema, timeoutMs, endpoints: endpointList,
  carriesPersonalData: serviceFields.carriesPersonalData, openapiUrl: httpUrl.nullable(),
}).partial().refine((o) => Object.keys(o).length > 0, nonEmpty).meta({ id: 'ServiceUpdate' })

// ---------------------------------------------------------------- grants
export const clientIdSchema = z.strictObject({
  instance: instanceSchema, memberClass: memberClassSchema, memberCode: memberCodeSchema, subsystemCode: subsystemCodeSchema,
}).meta({ id: 'ClientId' })
export const serviceIdSchema = z.strictObject({ ...clientIdSchema.shape, serviceCode: serviceCodeSchema }).meta({ id: 'ServiceId' })
/** Without `endpoints` a grant covers every endpoint of the service; `quota` applies on top of the member's limit. */
export const grantSchema = z.strictObject({
  id: z.uuid(), client: clientIdSchema, service: serviceIdSchema,
  endpoints: endpointList.optional(), quota: rateLimitSchema.optional(), createdAt: isoTimestamp,
}).meta({ id: 'Grant' })
export const grantCreateSchema = z.strictObject({
  client: clientIdSchema, service: serviceIdSchema, endpoints: endpointList.optional(), quota: rateLimitSchema.optional(),
}).meta({ id: 'GrantCreate' })
/** `null` clears the narrowing (all endpoints) or the quota (member limit only). */
export const grantUpdateSchema = z.strictObject({ endpoints: endpointList.nullable(), quota: rateLimitSchema.nullable() })
  .partial().refine((o) => Object.keys(o).length > 0, nonEmpty).meta({ id: 'GrantUpdate' })

// ---------------------------------------------------------------- the whole registry at one version
export const registrySnapshotSchema = z.strictObject({
  version: z.number().int().min(0), instance: instanceSchema,
  members: z.array(memberSchema), subsystems: z.array(subsystemSchema), apiKeys: z.array(apiKeySchema),
  nodes: z.array(nodeSchema), services: z.array(serviceSchema), grants: z.array(grantSchema),
}).meta({ id: 'RegistrySnapshot' })

export type MemberClass = z.infer<typeof memberClassSchema>
export type MemberKind = z.infer<typeof memberKindSchema>
export type RateLimit = z.infer<typeof rateLimitSchema>
export type Endpoint = z.infer<typeof endpointSchema>
export type Member = z.infer<typeof memberSchema>
export type MemberCreate = z.input<typeof memberCreateSchema>
export type MemberUpdate = z.input<typeof memberUpdateSchema>
export type Subsystem = z.infer<typeof subsystemSchema>
export type SubsystemCreate = z.input<typeof subsystemCreateSchema>
export type SubsystemUpdate = z.input<typeof subsystemUpdateSchema>
export type ApiKey = z.infer<typeof apiKeySchema>
export type NewApiKey = z.input<typeof newApiKeySchema>
export type ApiKeyIssued = z.infer<typeof apiKeyIssuedSchema>
export type NodeHealth = z.infer<typeof nodeHealthSchema>
export type RegistryNode = z.infer<typeof nodeSchema>
export type NodeCreate = z.input<typeof nodeCreateSchema>
export type NodeUpdate = z.input<typeof nodeUpdateSchema>
export type Service = z.infer<typeof serviceSchema>
export type ServiceCreate = z.input<typeof serviceCreateSchema>
export type ServiceUpdate = z.input<typeof serviceUpdateSchema>
export type ClientId = z.infer<typeof clientIdSchema>
export type ServiceId = z.infer<typeof serviceIdSchema>
export type Grant = z.infer<typeof grantSchema>
export type GrantCreate = z.input<typeof grantCreateSchema>
export type GrantUpdate = z.input<typeof grantUpdateSchema>
export type RegistrySnapshot = z.infer<typeof registrySnapshotSchema>

// ---------------------------------------------------------------- identifier strings
const clientParts = [['instance', instanceSchema], ['member class', memberClassSchema], ['member code', memberCodeSchema], ['subsystem code', subsystemCodeSchema]] as const
const serviceParts = [...clientParts, ['service code', serviceCodeSchema]] as const
const CLIENT_FORMAT = 'INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. VN/GOV/000.00.00.H49/DVCTINH'
const SERVICE_FORMAT = 'INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, e.g. VN/GOV/000.00.00.G01/CSDLQGDC/citizens'

/** Quotes a value for an error message: visible escapes, and never more than a line of it. */
export function quote (value: unknown): string {
  const s = typeof value === 'string' ? value : String(value)
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s)
}

function parseParts (kind: 'client' | 'service', text: unknown): string[] {
  const parts = kind === 'client' ? clientParts : serviceParts
  const format = kind === 'client' ? CLIENT_FORMAT : SERVICE_FORMAT
  const fail = (why: string): never => {
    throw new NdxpError('client.invalid_identifier', `Malformed ${kind} identifier ${quote(text)}: ${why}. Expected ${format}.`)
  }
  if (typeof text !== 'string') return fail(`expected a string, got ${text === null ? 'null' : typeof text}`)
  if (text.length > 400) return fail(`it is ${text.length} characters long, at most 400 are allowed`)
  const values = text.split('/')
  if (values.length !== parts.length) {
    const hint = values.length === parts.length - 1 ? ` (a ${kind} identifier must name its ${kind === 'client' ? 'subsystem' : 'subsystem and service'})` : ''
    return fail(`expected ${parts.length} parts separated by "/", found ${values.length}${hint}`)
  }
  parts.forEach(([name, schema], i) => {
    const result = schema.safeParse(values[i])
    if (!result.success) fail(`part ${i + 1} (${name}) ${quote(values[i])} is wrong: ${result.error.issues[0]?.message ?? 'invalid'}`)
  })
  return values
}

/** Parses `VN/GOV/000.00.00.H49/DVCTINH`; throws `client.invalid_identifier` naming the wrong part. */
export function parseClientId (text: string): ClientId {
  const [instance = '', memberClass = '', memberCode = '', subsystemCode = ''] = parseParts('client', text)
  return { instance, memberClass: memberClass as MemberClass, memberCode, subsystemCode }
}

/** Parses `VN/GOV/000.00.00.G01/CSDLQGDC/citizens`; throws `client.invalid_identifier` naming the wrong part. */
export function parseServiceId (text: string): ServiceId {
  const [instance = '', memberClass = '', memberCode = '', subsystemCode = '', serviceCode = ''] = parseParts('service', text)
  return { instance, memberClass: memberClass as MemberClass, memberCode, subsystemCode, serviceCode }
}

export function formatClientId (id: ClientId): string {
  return `${id.instance}/${id.memberClass}/${id.memberCode}/${id.subsystemCode}`
}

export function formatServiceId (id: ServiceId): string {
  return `${formatClientId(id)}/${id.serviceCode}`
}
