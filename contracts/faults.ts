// Wire formats of fault injection on LGSP nodes: a rule (scope, trigger, schedule, fault), the rule list and counts.
import { z } from 'zod'

/**
 * Request header naming the rule(s) an `onHeader` rule waits for; response header marking a faulted
 * answer with `<ruleId>;<kind>`, comma-separated when several rules applied (latencies, then the outcome).
 */
export const FAULT_HEADER = 'x-ndxp-fault'
/** Upper bound of any injected delay: a longer one would only look like a hang with extra steps. */
export const MAX_LATENCY_MS = 300_000

const ms = z.number().min(0).max(MAX_LATENCY_MS)
const positiveMs = z.number().positive().max(MAX_LATENCY_MS)

// Ids travel in a header list (`<id>;<kind>, …`), so no separators, spaces or control characters.
// `counts` is taken by the route that resets counts.
export const faultRuleIdSchema = z.string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, underscore or dash; at most 64; starts with a letter or digit')
  .refine((id) => id !== 'counts', '"counts" is reserved')

const httpToken = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

export const faultScopeSchema = z.strictObject({
  /** Node service code, as the host route declares it in `config.service` (e.g. `citizens`). */
  service: z.string().min(1).max(100).optional(),
  /** Method and route pattern as registered, e.g. `GET /citizens/:personalId`. */
  endpoint: z.string().max(300).regex(/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/\S*$/, 'METHOD /route/:pattern').optional(),
  /** Exact value of the consumer's X-Road-Client header. */
  consumer: z.string().min(1).max(300).optional(),
  header: z.strictObject({
    name: z.string().max(100).regex(httpToken, 'an HTTP header name'),
    value: z.string().max(1000),
  }).optional(),
}).meta({ id: 'FaultScope', description: 'All given parts must match; an empty scope matches every route of the node.' })
export type FaultScope = z.infer<typeof faultScopeSchema>

export const faultTriggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('always') }),
  /** Fires with probability p per matching request, drawn from the rule's seeded generator. */
  z.strictObject({ type: z.literal('probability'), p: z.number().min(0).max(1) }),
  /** Fires on the nth, 2nth, … matching request. */
  z.strictObject({ type: z.literal('everyNth'), n: z.number().int().min(1).max(1_000_000) }),
  /** Fires only for requests carrying `X-Ndxp-Fault: <rule id>` (a comma-separated list of ids is fine). */
  z.strictObject({ type: z.literal('onHeader') }),
]).meta({ id: 'FaultTrigger' })
export type FaultTrigger = z.infer<typeof faultTriggerSchema>

export const latencyDistributionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fixed'), ms }),
  z.strictObject({ type: z.literal('uniform'), minMs: ms, maxMs: ms })
    .refine((d) => d.minMs <= d.maxMs, { message: 'must be at least minMs', path: ['maxMs'] }),
  /** Log-normal fixed by its median and 99th percentile: sigma = ln(p99 / median) / 2.326. */
  z.strictObject({ type: z.literal('lognormal'), medianMs: positiveMs, p99Ms: positiveMs, capMs: ms.optional() })
    .refine((d) => d.medianMs <= d.p99Ms, { message: 'must be at least medianMs', path: ['p99Ms'] }),
  /** Pareto with scale minMs (the smallest delay) and shape alpha; alpha ≤ 2 has infinite variance, so set capMs. */
  z.strictObject({ type: z.literal('pareto'), minMs: positiveMs, alpha: z.number().positive().max(100), capMs: ms.optional() }),
]).meta({ id: 'LatencyDistribution', description: `Milliseconds; every sample is clamped to capMs (default ${MAX_LATENCY_MS}).` })
export type LatencyDistribution = z.infer<typeof latencyDistributionSchema>

export const faultKinds = ['latency', 'error', 'hang', 'reset', 'truncate', 'contract-drift', 'down'] as const
export const faultKindSchema = z.enum(faultKinds).meta({ id: 'FaultKind' })
export type FaultKind = z.infer<typeof faultKindSchema>

export const faultActionSchema = z.discriminatedUnion('kind', [
  /** Delays the request, which then proceeds normally. */
  z.strictObject({ kind: z.literal('latency'), distribution: latencyDistributionSchema }),
  /** Answers with this status and a problem+json body. */
  z.strictObject({ kind: z.literal('error'), status: z.number().int().min(400).max(599) }),
  /** Never answers; the socket is held until the client gives up or the server closes. */
  z.strictObject({ kind: z.literal('hang') }),
  /** Resets the TCP connection. */
  z.strictObject({ kind: z.literal('reset') }),
  /** Announces the full Content-Length, sends keepFraction of the body (default 0.5), then closes. */
  z.strictObject({ kind: z.literal('truncate'), keepFraction: z.number().min(0).lt(1).optional() }),
  /** Lets the handler answer, then breaks the JSON body against its schema (seeded). 2xx JSON answers only. */
  z.strictObject({ kind: z.literal('contract-drift') }),
  /** Answers 503 server.service_down. */
  z.strictObject({ kind: z.literal('down') }),
]).meta({ id: 'FaultAction' })
export type FaultAction = z.infer<typeof faultActionSchema>

const seed = z.number().int().min(0).max(0xffff_ffff)
const instant = z.iso.datetime({ offset: true })

type Window = { activeFrom?: string | undefined, activeUntil?: string | undefined }
const windowIsOrdered = (rule: Window): boolean =>
  rule.activeFrom === undefined || rule.activeUntil === undefined || Date.parse(rule.activeFrom) < Date.parse(rule.activeUntil)
const windowMessage = { message: 'must be later than activeFrom', path: ['activeUntil'] }

/**
 * What an admin sends; the node fills in the id (if absent), trigger `always` and seed 1.
 * Component id `NewFaultRule`: fastify-type-provider-zod names input variants `<id>Input`, so
 * `FaultRuleInput` would collide with the input variant of `FaultRule` when OpenAPI is generated.
 */
export const faultRuleInputSchema = z.strictObject({
  id: faultRuleIdSchema.optional(),
  description: z.string().max(500).optional(),
  scope: faultScopeSchema.optional(),
  trigger: faultTriggerSchema.default({ type: 'always' }),
  /** Seeds the rule's probability draws, latency samples and drift choices. */
  seed: seed.default(1),
  /** The rule is active from this instant (inclusive)… */
  activeFrom: instant.optional(),
  /** …until this one (exclusive). Outside the window requests do not count as matching. */
  activeUntil: instant.optional(),
  fault: faultActionSchema,
}).refine(windowIsOrdered, windowMessage).meta({ id: 'NewFaultRule' })
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>
export type ParsedFaultRuleInput = z.output<typeof faultRuleInputSchema>

export const faultRuleSchema = z.strictObject({
  id: faultRuleIdSchema,
  description: z.string().optional(),
  scope: faultScopeSchema.optional(),
  trigger: faultTriggerSchema,
  seed,
  activeFrom: instant.optional(),
  activeUntil: instant.optional(),
  fault: faultActionSchema,
}).refine(windowIsOrdered, windowMessage).meta({ id: 'FaultRule' })
export type FaultRule = z.infer<typeof faultRuleSchema>

export const faultRuleListSchema = z.object({ rules: z.array(faultRuleSchema) }).meta({ id: 'FaultRuleList' })
export type FaultRuleList = z.infer<typeof faultRuleListSchema>

export const faultCountSchema = z.object({
  ruleId: faultRuleIdSchema,
  kind: faultKindSchema,
  /** How many requests this rule actually faulted (a fired rule shadowed by an earlier one is not counted). */
  fired: z.number().int().min(0),
}).meta({ id: 'FaultCount' })
export const faultCountsSchema = z.object({ counts: z.array(faultCountSchema) }).meta({ id: 'FaultCounts' })
export type FaultCount = z.infer<typeof faultCountSchema>
export type FaultCounts = z.infer<typeof faultCountsSchema>
