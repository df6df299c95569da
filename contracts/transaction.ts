// The transaction record (after X-Road operational monitoring), the queries over the log, and stats.
// The exchange path produces records; stores keep them and roll them up per minute.
import { z } from 'zod'

export const outcomes = [
  'success', 'provider_error', 'bad_request', 'unauthenticated', 'denied', 'unknown_service', 'rate_limited',
  'payload_too_large', 'timeout', 'unreachable', 'circuit_open', 'store_unavailable', 'error', 'abandoned',
] as const
export const outcomeSchema = z.enum(outcomes)
export type Outcome = z.infer<typeof outcomeSchema>

export const transactionRecordSchema = z.object({
  /** Assigned by the hub (UUIDv7), unique even when clients reuse X-Road-Id. */
  id: z.string(),
  /** X-Road-Id as the client sent it, or the hub's id when it sent none. */
  messageId: z.string(),
  requestInTs: z.number().int().describe('ms since epoch: request arrived at the hub'),
  requestOutTs: z.number().int().nullable().describe('request forwarded to the provider (null when never forwarded)'),
  responseInTs: z.number().int().nullable().describe("provider's response headers arrived"),
  responseOutTs: z.number().int().describe('response fully sent to the client'),
  clientInstance: z.string().nullable(),
  clientMemberClass: z.string().nullable(),
  clientMemberCode: z.string().nullable(),
  clientSubsystemCode: z.string().nullable(),
  serviceInstance: z.string().nullable(),
  serviceMemberClass: z.string().nullable(),
  serviceMemberCode: z.string().nullable(),
  serviceSubsystemCode: z.string().nullable(),
  serviceCode: z.string().nullable(),
  providerNodeId: z.string().nullable(),
  restMethod: z.string(),
  /** The endpoint pattern (e.g. /citizens/{personalId}), never a raw path that may carry a personal ID. */
  restPath: z.string().nullable(),
  /** X-Road-UserId, hashed (sha256, truncated): correlatable, not readable. */
  userIdHash: z.string().nullable(),
  /** X-Road-Issue with personal numbers masked. */
  issue: z.string().nullable(),
  requestSize: z.number().int().min(0),
  responseSize: z.number().int().min(0),
  statusCode: z.number().int(),
  succeeded: z.boolean(),
  outcome: outcomeSchema,
  /** The hub's error code (X-Road-Error) when the hub produced the answer, else null. */
  faultCode: z.string().nullable(),
  gatewayId: z.string(),
  requestHash: z.string().nullable(),
  responseHash: z.string().nullable(),
}).meta({ id: 'TransactionRecord' })
export type TransactionRecord = z.infer<typeof transactionRecordSchema>

/** Duration the client saw: from arrival at the hub to the last byte sent. */
export function durationMs (record: Pick<TransactionRecord, 'requestInTs' | 'responseOutTs'>): number {
  return Math.max(0, record.responseOutTs - record.requestInTs)
}

const TIMESTAMP_HELP = 'must be an ISO 8601 date-time with an offset (2026-11-29T10:00:00Z) or a whole number of milliseconds since 1970'
// An empty value is refused rather than read as 1970 (z.coerce would turn '' into 0).
const timestamp = z.union([
  z.iso.datetime({ offset: true, error: TIMESTAMP_HELP }),
  z.number({ error: TIMESTAMP_HELP }).int(TIMESTAMP_HELP).min(0, TIMESTAMP_HELP),
  z.string().regex(/^\d{1,16}$/, TIMESTAMP_HELP).transform(Number).pipe(z.number().int(TIMESTAMP_HELP)),
], { error: TIMESTAMP_HELP })
  .transform((value) => typeof value === 'number' ? value : Date.parse(value))
  .describe('ISO 8601 date-time or ms since epoch')

export const transactionQuerySchema = z.object({
  client: z.string().max(300).optional().describe('Client subsystem id, e.g. VN/GOV/000.00.00.H26/DVCTINH'),
  service: z.string().max(300).optional().describe('Service id, e.g. VN/GOV/000.00.00.G01/CSDLQGDC/citizens'),
  member: z.string().max(64).optional().describe('Member code on either side (client or service)'),
  provider: z.string().max(64).optional().describe('Provider node id'),
  status: z.coerce.number().int().min(100).max(599).optional(),
  outcome: outcomeSchema.optional(),
  succeeded: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('From the previous page'),
}).strict()
export type TransactionQuery = z.infer<typeof transactionQuerySchema>

export const transactionPageSchema = z.object({
  items: z.array(transactionRecordSchema),
  nextCursor: z.string().nullable(),
}).meta({ id: 'TransactionPage' })
export type TransactionPage = z.infer<typeof transactionPageSchema>

export const statsDimensions = ['client', 'service', 'provider', 'status', 'outcome'] as const
export type StatsDimension = typeof statsDimensions[number]

export const statsQuerySchema = z.object({
  from: timestamp.optional().describe('Default: 1 hour before `to`'),
  to: timestamp.optional().describe('Default: now'),
  interval: z.enum(['minute', 'hour', 'day', 'total']).default('total'),
  groupBy: z.string().max(200).optional()
    .transform((value, context) => {
      const parts = value === undefined || value === '' ? [] : value.split(',').map((p) => p.trim())
      const bad = parts.filter((p) => !(statsDimensions as readonly string[]).includes(p))
      if (bad.length > 0) context.addIssue({ code: 'custom', message: `groupBy accepts ${statsDimensions.join(', ')} (comma-separated); not ${bad.join(', ')}` })
      return [...new Set(parts)] as StatsDimension[]
    })
    .describe(`Comma-separated: ${statsDimensions.join(', ')}`),
  client: z.string().max(300).optional(),
  service: z.string().max(300).optional(),
  member: z.string().max(64).optional(),
}).strict()
export type StatsQuery = z.infer<typeof statsQuerySchema>

export const latencySummarySchema = z.object({
  p50: z.number(), p90: z.number(), p99: z.number(), max: z.number(), mean: z.number(),
}).meta({ id: 'LatencySummary', description: 'Milliseconds; percentiles from a log-bucketed histogram (±5%)' })

export const statsRowSchema = z.object({
  start: z.number().int().describe('Interval start, ms since epoch (range start for interval=total)'),
  client: z.string().optional(),
  service: z.string().optional(),
  provider: z.string().optional(),
  status: z.number().int().optional(),
  outcome: outcomeSchema.optional(),
  count: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  latencyMs: latencySummarySchema,
}).meta({ id: 'StatsRow' })

export const statsResultSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  interval: z.enum(['minute', 'hour', 'day', 'total']),
  groupBy: z.array(z.enum(statsDimensions)),
  totals: z.object({ count: z.number().int(), succeeded: z.number().int(), failed: z.number().int() }),
  rows: z.array(statsRowSchema),
}).meta({ id: 'StatsResult' })
export type StatsResult = z.infer<typeof statsResultSchema>
