// Contract drift: breaks a JSON answer against its schema the way an unannounced provider change would.
import { pick, type Random } from './prng.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = Array<string | number>

/** The part of a zod schema drift needs; kept structural so any validator with safeParse fits. */
export interface BodyValidator { safeParse: (value: unknown) => { success: boolean } }

export type DriftOperation = 'drop' | 'rename' | 'retype' | 'reshape'
export interface Drift { operation: DriftOperation, path: string, body: Json }

interface Candidate { operation: Exclude<DriftOperation, 'reshape'>, path: Path }

// Bounds the work on a large answer: candidates are collected breadth first, so the shallow fields
// (the ones a connector reads first) are always among them.
const MAX_CANDIDATES = 256
const MAX_DEPTH = 6

function isObject (value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function candidatesOf (body: Json, withRenames: boolean): Candidate[] {
  const found: Candidate[] = []
  const queue: Array<{ value: Json, path: Path }> = [{ value: body, path: [] }]
  while (queue.length > 0 && found.length < MAX_CANDIDATES) {
    const { value, path } = queue.shift() as { value: Json, path: Path }
    if (path.length >= MAX_DEPTH) continue
    if (Array.isArray(value)) {
      // One element stands for all: items share a schema.
      if (value.length > 0) {
        found.push({ operation: 'retype', path: [...path, 0] })
        queue.push({ value: value[0] as Json, path: [...path, 0] })
      }
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        const childPath = [...path, key]
        found.push({ operation: 'retype', path: childPath })
        if (withRenames) found.push({ operation: 'drop', path: childPath }, { operation: 'rename', path: childPath })
        queue.push({ value: child, path: childPath })
      }
    }
  }
  return found.slice(0, MAX_CANDIDATES)
}

/** A value of another JSON type that a careless provider might plausibly send instead. */
function retype (value: Json): Json {
  if (typeof value === 'string') return value.length
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null) return 0
  if (Array.isArray(value)) return {}
  // A nested object turned into its JSON text: a classic drift when a provider changes serializers.
  return JSON.stringify(value)
}

/** `birthDate` → `birth_date`; `name` → `name_v2`: a renamed field a connector no longer finds. */
function renamed (key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return snake === key ? `${key}_v2` : snake
}

function apply (body: Json, { operation, path }: Candidate): Json {
  if (path.length === 0) return retype(body)
  const copy = structuredClone(body)
  let parent: Json = copy
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step] as Json
  const key = path[path.length - 1] as string | number
  const container = parent as Record<string | number, Json>
  const current = container[key] as Json
  if (operation === 'retype') {
    container[key] = retype(current)
  } else if (isObject(parent)) {
    const entries = Object.entries(parent)
    for (const name of Object.keys(parent)) delete parent[name]
    // Rebuilt in the original order, so a renamed field sits where the old one was.
    for (const [name, value] of entries) {
      if (name !== key) parent[name] = value
      else if (operation === 'rename') parent[renamed(name)] = value
    }
  }
  return copy
}

function render (path: Path): string {
  if (path.length === 0) return '(root)'
  return path.map((step, i) => typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`).join('')
}

/** Wraps the whole body in the other container shape: breaks any object or array schema. */
function reshape (body: Json): Json {
  return Array.isArray(body) ? { items: body } : [body]
}

/**
 * Picks, in a seeded order, a change that makes `body` fail `schema`. With no schema only type changes
 * are tried, since dropping or renaming an optional field would go unnoticed. If no single change
 * breaks the schema (a very loose one), the body is reshaped.
 */
export function driftBody (body: Json, random: Random, schema?: BodyValidator): Drift {
  const candidates = candidatesOf(body, schema !== undefined)
  // Fisher–Yates with the rule's stream: same seed, same sequence of drifts.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = pick(random, i + 1)
    const a = candidates[i] as Candidate
    candidates[i] = candidates[j] as Candidate
    candidates[j] = a
  }
  for (const candidate of candidates) {
    const drifted = apply(body, candidate)
    if (schema === undefined || !schema.safeParse(drifted).success) {
      return { operation: candidate.operation, path: render(candidate.path), body: drifted }
    }
  }
  return { operation: 'reshape', path: render([]), body: reshape(body) }
}

function isValidator (value: unknown): value is BodyValidator {
  return typeof value === 'object' && value !== null && typeof (value as BodyValidator).safeParse === 'function'
}

/** The zod schema a route declared for this status (exact, then `2xx`, then `default`), if any. */
export function responseSchemaFor (routeSchema: unknown, status: number): BodyValidator | undefined {
  const response = (routeSchema as { response?: unknown } | undefined)?.response
  if (typeof response !== 'object' || response === null) return undefined
  const byStatus = response as Record<string, unknown>
  const family = Math.floor(status / 100)
  for (const key of [String(status), `${family}xx`, `${family}XX`, 'default']) {
    let schema = byStatus[key]
    // The `{ content: { 'application/json': { schema } } }` form fastify-type-provider-zod also accepts.
    const content = (schema as { content?: Record<string, { schema?: unknown }> } | undefined)?.content
    if (content !== undefined) schema = Object.values(content)[0]?.schema
    if (isValidator(schema)) return schema
  }
  return undefined
}

/** Parses a serialized JSON answer; undefined when it is not JSON (then there is nothing to drift). */
export function parseJsonPayload (payload: unknown): Json | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as Json
  } catch {
    return undefined
  }
}
