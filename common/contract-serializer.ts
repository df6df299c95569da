// Response serialization that still checks every answer against its zod contract, but through the
// contract's JSON Schema compiled once per route: an Ajv validator plus fast-json-stringify, several
// times cheaper per response than walking the zod schema and then calling JSON.stringify.
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
 * reject them instead. Validation drops that keyword (fast-json-stringify writes only named fields
 * anyway), rather than Ajv's removeAdditional, which mutates data while it tries union branches.
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
  const validate: ValidateFunction = ajv.compile(allowingExtraFields(jsonSchema) as Record<string, unknown>)
  const stringify = fastJson(jsonSchema as unknown as Parameters<typeof fastJson>[0])
  return (data: unknown) => {
    if (!validate(data)) {
      // Rare by construction: rerun zod to name the failing fields the same way as everywhere else.
      const result = schema.safeParse(data)
      const cause = result.error ?? new z.ZodError([{ code: 'custom', path: [], message: ajv.errorsText(validate.errors), input: data }])
      throw new ResponseSerializationError(method, url, { cause })
    }
    return stringify(data)
  }
}
