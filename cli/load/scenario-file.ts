// The user scenario file (JSON or YAML): agencies that call the hub and weighted requests they send,
// with rates, stages, headers and bodies. Strict: an unknown field or a doubtful value is refused with
// a message that says how to fix it (parse-scenario-file.ts adds the file, line and column).
import { z } from 'zod'
import { parseClientId } from '../../contracts/registry.js'
import { durationMs, MAX_DURATION_MS, MAX_RATE } from './durations.js'
import { placeholderNames, unknownPlaceholders } from './templates.js'

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
/** Set by the load generator from the agency (or by HTTP itself): a file may not override them. */
const reservedHeaders = new Set(['authorization', 'x-road-client', 'host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive', 'te', 'trailer'])
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/
export const MAX_BODY_CHARS = 256 * 1024

const noPlaceholderTypos = (text: string, ctx: z.RefinementCtx): void => {
  const unknown = unknownPlaceholders(text)
  if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${unknown[0]}}; known: ${placeholderNames.map((n) => `{${n}}`).join(' ')}` })
}

const label = z.string({ error: 'must be a text label, e.g. quang-ninh' }).min(1, 'must not be empty').max(64, 'must be at most 64 characters')
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must not contain control or invisible formatting characters')

const rate = (allowZero: boolean) => z.number({ error: 'must be a number of requests per second, e.g. 50' })
  .min(0, 'must not be negative').refine((r) => allowZero || r > 0, 'must be a positive number (above 0)')
  .max(MAX_RATE, `must be at most ${MAX_RATE} requests per second`)

const duration = z.string({ error: 'must be a duration text like 30s, 2m, 1m30s or 500ms' }).transform((text, ctx) => {
  const ms = durationMs(text)
  if (ms === undefined || ms === 0) ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 2m, 1m30s or 500ms (above 0); got '${text}'` })
  else if (ms > MAX_DURATION_MS) ctx.addIssue({ code: 'custom', message: 'must be at most 24h' })
  return ms ?? 0
})

const stage = z.strictObject({ duration, rate: rate(true) })
const stages = z.array(stage, { error: 'must be a list of {duration, rate} stages, e.g. [{duration: 30s, rate: 100}]' })
  .min(1, 'must list at least one stage').max(100, 'must list at most 100 stages')

const weight = z.number({ error: 'must be a number, e.g. 1' }).positive('must be a positive number').max(1e6, 'must be at most 1000000')

const headerValue = z.preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v),
  z.string({ error: 'must be a text (quote numbers in YAML)' }).max(4096, 'must be at most 4096 characters').superRefine((value, ctx) => {
    if (/[\r\n]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain line breaks (CR or LF): they would split the header' })
    else if (!/^[\t\x20-\x7e]*$/.test(value)) ctx.addIssue({ code: 'custom', message: 'must be printable ASCII; percent-encode other characters' })
    else noPlaceholderTypos(value, ctx)
  }))

const headers = z.record(z.string(), headerValue, { error: 'must be a mapping of header names to values' }).superRefine((record, ctx) => {
  const names = Object.keys(record)
  if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'must set at most 50 headers' })
  for (const name of names) {
    // params.atKey: the message is about the name, so the position points at it rather than its value.
    if (!HEADER_NAME_RE.test(name)) ctx.addIssue({ code: 'custom', path: [name], params: { atKey: true }, message: 'is not an HTTP header name: use letters, digits and - (e.g. X-Road-UserId)' })
    else if (reservedHeaders.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: [name], params: { atKey: true }, message: name.toLowerCase() === 'authorization' || name.toLowerCase() === 'x-road-client'
        ? 'is set from the agency: give agencies[].apiKey (or devKey) and client instead'
        : 'is set by the load generator; remove it' })
    }
  }
})

const clientId = z.string({ error: 'must be an X-Road client id like VN/GOV/000.00.00.H49/DVCTINH' }).superRefine((text, ctx) => {
  try {
    parseClientId(text)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `${(error as Error).message} (e.g. VN/GOV/000.00.00.H49/DVCTINH)` })
  }
})

const agency = z.strictObject({
  label: label.optional(),
  client: clientId,
  apiKey: z.string({ error: 'must be the agency\'s API key text (ndxp_…)' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces or line breaks').optional(),
  devKey: z.string({ error: 'must be a member code, e.g. 000.00.00.H49' }).regex(/^[0-9A-Za-z.()'+,=?-]{1,64}$/, 'must be a member code, e.g. 000.00.00.H49').optional(),
  weight: weight.optional(),
  rate: rate(false).optional(),
  stages: stages.optional(),
  headers: headers.optional(),
}).superRefine((a, ctx) => {
  if ((a.apiKey === undefined) === (a.devKey === undefined)) {
    ctx.addIssue({ code: 'custom', path: a.apiKey === undefined ? [] : ['devKey'], message: 'give exactly one of apiKey (the key text) or devKey (a member code whose development key is derived from NDXP_DEV_SECRET)' })
  }
  if (a.rate !== undefined && a.stages !== undefined) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'give either rate or stages, not both' })
})

const path = z.string({ error: 'must be a path text starting with /' }).min(1, 'must not be empty').max(2048, 'must be at most 2048 characters')
  .superRefine((text, ctx) => {
    if (!text.startsWith('/')) ctx.addIssue({ code: 'custom', message: `must start with / (e.g. /r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizens/{personalId}); got '${text.slice(0, 40)}'` })
    else if (/[\r\n]/.test(text)) ctx.addIssue({ code: 'custom', message: 'must not contain line breaks' })
    else if (!/^[\x21-\x7e]*$/.test(text)) ctx.addIssue({ code: 'custom', message: 'must be printable ASCII without spaces: percent-encode other characters (encodeURIComponent)' })
    else if (text.includes('#')) ctx.addIssue({ code: 'custom', message: 'must not contain a fragment (#): it is never sent' })
    else noPlaceholderTypos(text, ctx)
  })

/** Any JSON value; its strings may hold placeholders. Depth is checked before parsing (see parse-scenario-file.ts). */
const jsonBody: z.ZodType<unknown> = z.lazy(() => z.union([
  z.string().superRefine(noPlaceholderTypos), z.number(), z.boolean(), z.null(), z.array(jsonBody), z.record(z.string(), jsonBody),
]))

const request = z.strictObject({
  name: label.optional(),
  weight: weight.default(1),
  method: z.string({ error: `must be one of ${httpMethods.join(' ')}` }).transform((m) => m.toUpperCase())
    .pipe(z.enum(httpMethods, { error: `must be one of ${httpMethods.join(' ')}` })).default('GET'),
  path,
  headers: headers.optional(),
  body: z.union([z.string().max(MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters`).superRefine(noPlaceholderTypos), z.array(jsonBody), z.record(z.string(), jsonBody)],
    { error: 'must be a text, or a JSON object or list (sent as application/json)' }).optional(),
  agencies: z.array(label, { error: 'must be a list of agency labels' }).min(1, 'must name at least one agency (or leave the field out for all)').optional(),
}).superRefine((r, ctx) => {
  if (r.body !== undefined && (r.method === 'GET' || r.method === 'HEAD')) ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${r.method} request carries no body: use POST or PUT, or remove body` })
})

export const scenarioFileSchema = z.strictObject({
  name: z.string({ error: 'must be a text' }).min(1).max(100, 'must be at most 100 characters').regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must not contain control characters').optional(),
  description: z.string({ error: 'must be a text' }).max(2000).optional(),
  rate: rate(false).optional(),
  stages: stages.optional(),
  duration: duration.optional(),
  headers: headers.optional(),
  agencies: z.array(agency, { error: 'must be a list of agencies: [{label, client, devKey}]' }).min(1, 'must list at least one agency').max(200, 'must list at most 200 agencies'),
  requests: z.array(request, { error: 'must be a list of requests: [{weight, method, path}]' }).min(1, 'must list at least one request').max(500, 'must list at most 500 requests'),
}).superRefine((file, ctx) => {
  if (file.rate !== undefined && file.stages !== undefined) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'give either rate (with duration) or stages, not both' })
  if (file.duration !== undefined && file.stages !== undefined) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'stages set the duration already; remove duration' })
  const labels = new Map<string, number>()
  file.agencies.forEach((a, i) => {
    const name = agencyLabel(a)
    if (labels.has(name)) ctx.addIssue({ code: 'custom', path: ['agencies', i, a.label === undefined ? 'client' : 'label'], message: `duplicate agency label '${name}': give each agency its own label` })
    labels.set(name, i)
  })
  file.requests.forEach((r, i) => r.agencies?.forEach((name, j) => {
    if (!labels.has(name)) ctx.addIssue({ code: 'custom', path: ['requests', i, 'agencies', j], message: `no agency is labelled '${name}'; labels: ${[...labels.keys()].join(', ')}` })
  }))
  file.agencies.forEach((a, i) => {
    const name = agencyLabel(a)
    if (!file.requests.some((r) => r.agencies === undefined || r.agencies.includes(name))) {
      ctx.addIssue({ code: 'custom', path: ['agencies', i], message: `agency '${name}' may send none of the requests: add it to a request's agencies list, or remove it` })
    }
  })
})

/** Field names by where they sit, for "unknown field … allowed: …" messages. */
export const allowedFields: Readonly<Record<'top' | 'agencies' | 'requests' | 'stages', readonly string[]>> = {
  top: Object.keys(scenarioFileSchema.shape),
  agencies: Object.keys(agency.shape),
  requests: Object.keys(request.shape),
  stages: Object.keys(stage.shape),
}

export type ScenarioFile = z.output<typeof scenarioFileSchema>
export type ScenarioAgency = ScenarioFile['agencies'][number]
export type ScenarioRequest = ScenarioFile['requests'][number]

/** An agency is reported under its label, or its client id when it has none. */
export function agencyLabel (agency: Pick<ScenarioAgency, 'label' | 'client'>): string {
  return agency.label ?? agency.client
}
