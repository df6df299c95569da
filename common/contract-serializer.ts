// Response serialization that still checks every answer against its zod contract, but through the
// contract's JSON Schema compiled once per route. The common case — an answer holding exactly the
// contract's fields — is checked by an Ajv validator that also rejects unknown fields, and then
// written by the engine's JSON.stringify, which is several times faster than fast-json-stringify on
// these records (their strings are mostly Vietnamese, which fast-json-stringify escapes char by char).
// An answer with extra fields takes the slower path: checked without that rule, and written by
// fast-json-stringify, which writes only the fields the contract names, as zod would strip them.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import fastJson from 'fast-json-stringify'
import { ResponseSerializationError, type serializerCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false })
addFormats.default(ajv)

function toJsonSchema (schema: z.ZodType): Record<string, unknown> {
  // Output shape: what the handler produces, after any transform. Refinements that JSON Schema
  // cannot express are checked where the data is made (the generators), not here.
  return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>
}

/**
 * zod strips fields a contract does not name; JSON Schema's `additionalProperties: false` would
 * reject them instead. The lenient validator drops that keyword (fast-json-stringify writes only
 * named fields anyway), rather than Ajv's removeAdditional, which mutates data while it tries union
 * branches.
 */
function allowingExtraFields (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowingExtraFields)
  if (node === null || typeof node !== 'object') return node
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue
    copy[key] = allowingExtraFields(value)
  }
  return copy
}

export const contractSerializerCompiler: typeof serializerCompiler = ({ schema, method, url }) => {
  if (!(schema instanceof z.ZodType)) return (data: unknown) => JSON.stringify(data)
  const jsonSchema = toJsonSchema(schema)
  // Exactly the contract's fields, each valid: JSON.stringify then writes what the contract allows.
  const exact: ValidateFunction = ajv.compile(jsonSchema)
  const lenient: ValidateFunction = ajv.compile(allowingExtraFields(jsonSchema) as Record<string, unknown>)
  const stringifyNamedFields = fastJson(jsonSchema as unknown as Parameters<typeof fastJson>[0])
  return (data: unknown) => {
    if (exact(data)) return JSON.stringify(data)
    if (!lenient(data)) {
      // Rare by construction: rerun zod to name the failing fields the same way as everywhere else.
      const result = schema.safeParse(data)
      const cause = result.error ?? new z.ZodError([{ code: 'custom', path: [], message: ajv.errorsText(lenient.errors), input: data }])
      throw new ResponseSerializationError(method, url, { cause })
    }
    return stringifyNamedFields(data)
  }
}
